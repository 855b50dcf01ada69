/* lib_env.c — the Env module (stdlib.md §12): Env.get and Env.args (the
 * program path followed by the arguments after `--`, set by `snow run`). */
#include <stdlib.h>
#include <string.h>

#include "lib.h"
#include "lib_util.h"
#include "list.h"
#include "str.h"
#include "vals.h"

/* Some(value) when the variable exists and is valid UTF-8; a name that
 * cannot be a variable (empty, `=`, NUL) is simply absent. */
Value bi_env_get(Value *a, int n) {
    lib_need(a[0], T_STR, "Env.get", 1);
    const char *name = str_data(a[0]);
    size_t len = str_len(a[0]);
    if (len == 0 || memchr(name, '=', len) || memchr(name, 0, len)) return val_none();
    const char *v = getenv(str_cstr(a[0]));
    if (!v) return val_none();
    size_t vl = strlen(v);
    if (!lib_utf8_valid(v, vl)) return val_none();
    return val_some(str_new(v, vl));
}

Value bi_env_args(Value *a, int n) {
    ListBuilder lb;
    lb_init(&lb, rt_argc > 0 ? (size_t)rt_argc : 0);
    for (int i = 0; i < rt_argc; i++) {
        const char *s = rt_argv[i] ? rt_argv[i] : "";
        size_t l = strlen(s);
        /* an argument that is not UTF-8 keeps its valid prefix only */
        while (l > 0 && !lib_utf8_valid(s, l)) l--;
        lb_push(&lb, str_new(s, l));
    }
    return lb_finish(&lb);
}
