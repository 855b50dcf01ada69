/* modname.c — module names and file names (see modname.h). */
#include "modname.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

char *modname_of_path(const char *rel) {
    size_t n = strlen(rel);
    char *out = xmalloc(n + 2);
    size_t o = 0;
    bool up = true;
    for (size_t i = 0; i < n; i++) {
        char c = rel[i];
        if (i + 5 == n && strcmp(rel + i, ".snow") == 0) break;
        if (c == '/') { out[o++] = '.'; up = true; continue; }
        if (c == '_') { up = true; continue; }
        if (up && c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
        up = false;
        out[o++] = c;
    }
    out[o] = 0;
    return out;
}

char *modname_file(const char *name) {
    size_t n = strlen(name);
    char *out = xmalloc(2 * n + 6);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (c == '.') { out[o++] = '/'; continue; }
        bool upper = c >= 'A' && c <= 'Z';
        if (upper && i > 0 && name[i - 1] != '.') {
            char prev = name[i - 1], next = name[i + 1];
            bool prev_low = (prev >= 'a' && prev <= 'z') || (prev >= '0' && prev <= '9');
            bool prev_up = prev >= 'A' && prev <= 'Z';
            /* MathOps -> math_ops, HTTPServer -> http_server */
            if (prev_low || (prev_up && next >= 'a' && next <= 'z')) out[o++] = '_';
        }
        out[o++] = upper ? (char)(c - 'A' + 'a') : c;
    }
    memcpy(out + o, ".snow", 6);
    return out;
}
