/* ws_frame.h — RFC 6455 framing for the WebSocket server (net.md §3.3),
 * on libwslay's frame layer: wslay parses frame headers (length
 * encodings, the 64-bit length's MSB, control frames that are long or
 * fragmented) and unmasks payloads; it encodes the server's frames.  The
 * rules above single frames (RSV bits, opcodes, masking required,
 * fragmentation, sizes, UTF-8) are ws_server.c's: wslay's event layer
 * cannot check UTF-8 as fragments arrive (Autobahn 6.4) and keeps one
 * single-threaded send queue, so only its frame layer is used.
 *
 * Reading (the connection process): ws_reader_next returns the next
 * piece of payload of the current frame, parking the process in the
 * poller while bytes are missing (wslay calls back into conn_read).  A
 * frame arrives as one or more pieces; `first` marks a frame's first
 * piece (a zero-length frame is one empty piece).
 *
 * Invariants:
 *  - Bytes already read after the handshake (`pre`) are consumed before
 *    the socket is read.
 *  - The piece's data points into wslay's buffer: valid until the next
 *    call.
 *  - A read deadline that passes is not an error of the stream: the next
 *    call resumes the frame where it stopped.
 */
#ifndef SNOW_WS_FRAME_H
#define SNOW_WS_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "sb.h"

enum { WS_OP_CONT = 0, WS_OP_TEXT = 1, WS_OP_BINARY = 2, WS_OP_CLOSE = 8, WS_OP_PING = 9, WS_OP_PONG = 10 };

typedef enum WsRead {
    WSR_PIECE,   /* a piece of payload (see WsPiece) */
    WSR_TIMEOUT, /* the deadline passed (nothing lost: call again) */
    WSR_EOF,     /* the peer closed, or the socket failed */
    WSR_PROTO    /* a malformed frame header (wslay: length encoding, control frame) */
} WsRead;

typedef struct WsPiece {
    bool first, last;    /* first / last piece of its frame */
    bool fin, mask;
    uint8_t rsv, opcode;
    uint64_t length;     /* the frame's payload length */
    const uint8_t *data;
    size_t len;
} WsPiece;

typedef struct WsReader WsReader;

/* A reader on net, starting with the n bytes at pre (copied).  net may be
 * NULL: the bytes at pre are the whole stream. */
WsReader *ws_reader_new(NetConn *net, const void *pre, size_t n);
void ws_reader_free(WsReader *r);
WsRead ws_reader_next(WsReader *r, int64_t deadline, WsPiece *out);

/* Append one unmasked FIN frame to out. */
void ws_frame_encode(SB *out, int opcode, const void *data, size_t len);
/* A Close frame: 2-byte code and the reason cut to 123 bytes (at a
 * character boundary). */
void ws_frame_close(SB *out, int code, const char *reason);

/* Incremental UTF-8 validation (fail-fast on fragments). */
enum { WS_UTF8_OK = 0, WS_UTF8_BAD = 1 };
/* Feed bytes: the new state (WS_UTF8_BAD as soon as no continuation can
 * make them valid; other non-zero states: in the middle of a character). */
uint32_t ws_utf8_feed(uint32_t state, const uint8_t *s, size_t n);

/* Close codes a peer may send (RFC 6455 §7.4, IANA registry). */
bool ws_close_code_valid(int code);

#endif
