/* lib_json.c — the JSON / Json modules (stdlib.md §13.1, §13.3): thin
 * wrappers over json.h, which owns parsing (serde_json's error texts),
 * the encoder (compact, keys sorted, ryu float layout) and the encoding
 * of any serializable Snow value. */
#include "json.h"
#include "lib.h"
#include "lib_util.h"

Value bi_json_parse(Value *a, int n) {
    lib_need(a[0], T_STR, "JSON.parse", 1);
    return json_parse(a[0]);
}

Value bi_json_encode(Value *a, int n) { return json_encode(a[0]); }

/* Json.encode(v): any serializable value (derived types, Option, List,
 * Map<String, _>, scalars, Json). */
Value bi_json_encode_any(Value *a, int n) { return json_encode(a[0]); }

Value bi_json_encode_string(Value *a, int n) {
    lib_need(a[0], T_STR, "JSON.encode_string", 1);
    return json_encode_string(a[0]);
}

Value bi_json_encode_int(Value *a, int n) {
    lib_need(a[0], T_INT, "JSON.encode_int", 1);
    return json_encode_int(a[0].i);
}

Value bi_json_encode_bool(Value *a, int n) {
    lib_need(a[0], T_BOOL, "JSON.encode_bool", 1);
    return json_encode_bool(a[0].i != 0);
}

Value bi_json_encode_map(Value *a, int n) {
    lib_need(a[0], T_MAP, "JSON.encode_map", 1);
    return json_encode_map(a[0]);
}

Value bi_json_encode_list(Value *a, int n) {
    lib_need(a[0], T_LIST, "JSON.encode_list", 1);
    return json_encode_list(a[0]);
}
