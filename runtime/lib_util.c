/* lib_util.c — helpers shared by the standard-library implementations
 * (see lib_util.h). */
#include "lib_util.h"

const char *lib_tag_name(uint32_t tag) {
    switch (tag) {
    case T_UNIT: return "()";
    case T_BOOL: return "Bool";
    case T_INT: return "Int";
    case T_FLOAT: return "Float";
    case T_PID: return "Pid";
    case T_REF: return "Ref";
    case T_STR: return "String";
    case T_LIST: return "List";
    case T_TUPLE: return "tuple";
    case T_MAP: return "Map";
    case T_SET: return "Set";
    case T_QUEUE: return "Queue";
    case T_RANGE: return "Range";
    case T_STRUCT: return "struct";
    case T_VARIANT: return "variant";
    case T_FUNC: return "function";
    case T_JSON: return "Json";
    case T_HANDLE: return "handle";
    default: return "internal value";
    }
}

_Noreturn void lib_bad_arg(const char *fn, int argi, uint32_t want, Value got) {
    if (argi == 0)
        rt_panic("%s: the function must return a %s, got a %s", fn, lib_tag_name(want), lib_tag_name(got.tag));
    rt_panic("%s: argument %d must be a %s, got a %s", fn, argi, lib_tag_name(want), lib_tag_name(got.tag));
}
