/* wire.h — the distribution wire format for Snow values (docs/wire-format.md):
 * a versioned, self-describing binary encoding, written from the sender's
 * heap into a byte buffer and read into the receiver's current heap.
 *
 * Invariants:
 *  - Nothing is shared between the two heaps: the decoder builds every
 *    object afresh with the ordinary constructors, in the current heap.
 *  - The decoder trusts no byte: every tag, length and count is checked
 *    against the bytes that remain and against the limits below before it
 *    is used; any failure returns false with a reason, never a crash, and
 *    builds nothing the caller must free (partial objects are garbage in
 *    the current heap).
 *  - Function values (and resources: handles) are refused by the encoder;
 *    the caller turns the reason into a panic in the sender (decision 31).
 *  - Pids are written qualified with the node they belong to (name and
 *    creation), through the WirePids callbacks, so that equality holds
 *    across nodes and a pid of the receiver comes back as a local pid.
 */
#ifndef SNOW_WIRE_H
#define SNOW_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "value.h"

#define WIRE_VERSION 1
#define WIRE_MAX_DEPTH 512               /* nesting of containers */
#define WIRE_MAX_STRING (16u << 20)      /* bytes of one string */
#define WIRE_MAX_COUNT 1000000u          /* elements of one collection */
#define WIRE_MAX_NAME 255                /* type, field, variant and node names */

/* A growable byte buffer (malloc'd). */
typedef struct WBuf {
    uint8_t *p;
    size_t len, cap;
} WBuf;
void wbuf_reserve(WBuf *b, size_t extra);
void wbuf_put(WBuf *b, const void *p, size_t n);
void wbuf_u8(WBuf *b, uint8_t x);
void wbuf_varint(WBuf *b, uint64_t x);
void wbuf_free(WBuf *b);

/* Reading side of the same primitives: each returns false past the end. */
typedef struct WRead {
    const uint8_t *p, *end;
} WRead;
bool wread_u8(WRead *r, uint8_t *out);
bool wread_varint(WRead *r, uint64_t *out);
bool wread_bytes(WRead *r, size_t n, const uint8_t **out);
/* A name: varint length (<= max) then bytes. */
bool wread_name(WRead *r, size_t max, const char **p, size_t *len);
void wbuf_name(WBuf *b, const char *p, size_t len);

/* How pids cross: the encoder asks for the pid's node (name, creation) and
 * local serial; the decoder asks for the local form of a qualified pid
 * (false: the peer is not to be trusted — e.g. it names a node that was
 * never heard of). */
typedef struct WirePids {
    void *ud;
    bool (*out)(void *ud, uint64_t pid, const char **node, size_t *node_len, uint32_t *creation,
                uint64_t *serial);
    bool (*in)(void *ud, const char *node, size_t node_len, uint32_t creation, uint64_t serial,
               uint64_t *pid);
} WirePids;

/* The program's user types, which values from other nodes may use (the
 * interpreter adds each one as it makes it; a later type of the same name
 * — the REPL redefining it — wins).  Built-in types are always known. */
void wire_type_add(const TypeDesc *td);

/* Append the encoding of v (version byte first) to b.  False with a reason
 * (naming the offending type, e.g. "a function (Fun, in field `cb` of
 * `Handler`) cannot be sent to another node") when v cannot be sent. */
bool wire_encode(WBuf *b, Value v, const WirePids *pids, char *err, size_t errcap);
/* Decode exactly [p, p+n) into the current heap. */
bool wire_decode(const uint8_t *p, size_t n, const WirePids *pids, Value *out, char *err, size_t errcap);

#endif
