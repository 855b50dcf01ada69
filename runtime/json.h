/* json.h — JSON (stdlib.md §13, §14): the Json value type, a strict RFC 8259
 * parser with serde_json's error texts and positions, the encoder (compact,
 * keys sorted byte-wise, ryu float layout), encoding of any serializable Snow
 * value, decoding a Json value into a Snow value of a given RtType
 * (deriving(Json)), and decoding a database row (deriving(Row)).
 *
 * A Json value (T_JSON) is a JsonObj wrapping an ordinary Snow value:
 *   null -> (), bool -> Bool, int -> Int, float -> Float, string -> String,
 *   array -> List<Json>, object -> Map<String, Json> (first-insertion order;
 *   a duplicate key keeps its position and takes the last value; the
 *   encoder sorts keys anyway).
 * The parser is iterative (explicit stack), rejects nesting deeper than
 * JSON_MAX_DEPTH (serde_json's limit, "recursion limit exceeded"), and is
 * safe on arbitrary bytes. */
#ifndef SNOW_JSON_H
#define SNOW_JSON_H

#include "sb.h"
#include "value.h"

enum JsonKind { J_NULL = 0, J_BOOL, J_INT, J_FLOAT, J_STRING, J_ARRAY, J_OBJECT };

typedef struct JsonObj {
    Obj h;   /* OK_JSON; xflags = JsonKind */
    Value v; /* see above */
} JsonObj;

#define AS_JSON(v) ((JsonObj *)(v).o)
#define JSON_MAX_DEPTH 128

static inline int json_kind(Value j) { return AS_JSON(j)->h.xflags; }
Value json_wrap(int kind, Value v); /* make a T_JSON */

/* JSON.parse: Ok(Json) or Err("<message> at line L column C"). */
Value json_parse(Value text);
/* Lower level: returns true and *out on success; on failure writes the
 * message (NUL-terminated, no allocation) into err[errlen]. */
bool json_parse_bytes(const char *p, size_t n, Value *out, char *err, size_t errlen);

/* Encoding.  json_encode: a T_JSON value.  json_encode_value: any
 * serializable Snow value (§13.2/§13.3). */
void json_encode_sb(SB *b, Value v);    /* any value, appends */
Value json_encode(Value v);             /* -> String */
void json_put_string(SB *b, const char *p, size_t n); /* quoted + escaped */
void json_put_float(SB *b, double d);   /* ryu layout; NaN/inf -> null */
Value json_encode_string(Value s);
Value json_encode_int(int64_t i);
Value json_encode_bool(bool b);
Value json_encode_map(Value m);         /* Map<String, String> */
Value json_encode_list(Value l);        /* List<String> */

/* deriving(Json): decode a Json value as type t -> Ok(value) / Err(msg). */
Value json_decode(const RtType *t, Value json);
/* T.from_json(text): parse then decode. */
Value json_from_text(const RtType *t, Value text);

/* deriving(Row): T.from_row(Map<String, String>) -> Result<T, String>. */
Value row_decode(const TypeDesc *td, Value row);

#endif
