/* lib_json.c — the JSON / Json modules (stdlib.md §13.1, §13.3): thin
 * wrappers over json.h, which owns parsing (serde_json's error texts),
 * the encoder (compact, keys sorted, ryu float layout) and the encoding
 * of any serializable Snow value. */
#include "json.h"
#include "lib_util.h"
#include "stdlib_table.h"

static Value bi_json_parse(Value *a, int n) {
    lib_need(a[0], T_STR, "JSON.parse", 1);
    return json_parse(a[0]);
}

static Value bi_json_encode(Value *a, int n) { return json_encode(a[0]); }

/* Json.encode(v): any serializable value (derived types, Option, List,
 * Map<String, _>, scalars, Json). */
static Value bi_json_encode_any(Value *a, int n) { return json_encode(a[0]); }

static Value bi_json_encode_string(Value *a, int n) {
    lib_need(a[0], T_STR, "JSON.encode_string", 1);
    return json_encode_string(a[0]);
}

static Value bi_json_encode_int(Value *a, int n) {
    lib_need(a[0], T_INT, "JSON.encode_int", 1);
    return json_encode_int(a[0].i);
}

static Value bi_json_encode_bool(Value *a, int n) {
    lib_need(a[0], T_BOOL, "JSON.encode_bool", 1);
    return json_encode_bool(a[0].i != 0);
}

static Value bi_json_encode_map(Value *a, int n) {
    lib_need(a[0], T_MAP, "JSON.encode_map", 1);
    return json_encode_map(a[0]);
}

static Value bi_json_encode_list(Value *a, int n) {
    lib_need(a[0], T_LIST, "JSON.encode_list", 1);
    return json_encode_list(a[0]);
}

/* ---- rows of the library table (stdlib_table.h) ---------------------------- */

static const StdFn json_lib[] = {
    {"JSON", "parse", "Fun(String) -> Result<Json, String>", bi_json_parse, 1, SF_PREFIXED, "parse JSON text"},
    {"JSON", "encode", "Fun(Json) -> String", bi_json_encode, 1, SF_PREFIXED, "encode as compact JSON text"},
    {"JSON", "encode_string", "Fun(String) -> String", bi_json_encode_string, 1, SF_PREFIXED, "a JSON string literal"},
    {"JSON", "encode_int", "Fun(Int) -> String", bi_json_encode_int, 1, SF_PREFIXED, "a JSON number"},
    {"JSON", "encode_bool", "Fun(Bool) -> String", bi_json_encode_bool, 1, SF_PREFIXED, "true or false"},
    {"JSON", "encode_map", "Fun(Map<String, String>) -> String", bi_json_encode_map, 1, SF_PREFIXED, "a JSON object of strings"},
    {"JSON", "encode_list", "Fun(List<String>) -> String", bi_json_encode_list, 1, SF_PREFIXED, "a JSON array of strings"},
    {"Json", "parse", "Fun(String) -> Result<Json, String>", bi_json_parse, 1, 0, "parse JSON text"},
    {"Json", "encode", "Fun(T) -> String", bi_json_encode_any, 1, SF_SPECIAL, "encode any serializable value as JSON"},
    {"Json", "encode_string", "Fun(String) -> String", bi_json_encode_string, 1, 0, "a JSON string literal"},
    {"Json", "encode_int", "Fun(Int) -> String", bi_json_encode_int, 1, 0, "a JSON number"},
    {"Json", "encode_bool", "Fun(Bool) -> String", bi_json_encode_bool, 1, 0, "true or false"},
    {"Json", "encode_map", "Fun(Map<String, String>) -> String", bi_json_encode_map, 1, 0, "a JSON object of strings"},
    {"Json", "encode_list", "Fun(List<String>) -> String", bi_json_encode_list, 1, 0, "a JSON array of strings"},
};
STDLIB_REGISTER(json_lib)
