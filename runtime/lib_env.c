/* lib_env.c — the Env module (stdlib.md §12): Env.get and Env.args (the
 * program path followed by the arguments after `--`, set by `snow run`;
 * an argument that is not UTF-8 is converted lossily). */
#include <stdlib.h>
#include <string.h>

#include "lib_util.h"
#include "list.h"
#include "stdlib_table.h"
#include "str.h"
#include "vals.h"

/* Some(value) when the variable exists and is valid UTF-8; a name that
 * cannot be a variable (empty, `=`, NUL) is simply absent. */
static Value bi_env_get(Value *a, int n) {
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

static Value bi_env_args(Value *a, int n) {
    ListBuilder lb;
    lb_init(&lb, rt_argc > 0 ? (size_t)rt_argc : 0);
    for (int i = 0; i < rt_argc; i++) {
        const char *s = rt_argv[i] ? rt_argv[i] : "";
        size_t l = strlen(s);
        lb_push(&lb, lib_str_lossy(s, l));
    }
    return lb_finish(&lb);
}

/* ---- rows of the library table (stdlib_table.h) ---------------------------- */

static const StdFn env_lib[] = {
    {"Env", "get", "Fun(String) -> Option<String>", bi_env_get, 1, SF_PREFIXED, "the value of an environment variable"},
    {"Env", "args", "Fun() -> List<String>", bi_env_args, 0, 0, "the program name followed by the arguments after `--`"},
};
STDLIB_REGISTER(env_lib)
