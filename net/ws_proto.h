/* ws_proto.h — the rules above single frames (net.md §3.3–3.5, RFC 6455):
 * what each piece of a client frame means, as a state machine without
 * I/O, so the connection process (ws_server.c) and the fuzz target
 * (tests/fuzz/fuzz_ws.c) run the same code.
 *
 * Per frame (on its first piece): RSV bits set, an unknown opcode, an
 * unmasked frame, a continuation with no message in progress, a new data
 * frame during a fragmented message are 1002; a data frame or message
 * over WS_PROTO_MAX bytes is 1009.  Text is validated as UTF-8 piece by
 * piece (1007 at the first byte no continuation can make valid, or an
 * unfinished character at the end).  A Close payload of 1 byte or with a
 * code peers may not send is 1002; a reason that is not UTF-8 is 1007.
 * Control frames may come between the fragments of a message.
 *
 * Invariants:
 *  - An action's data (message, ping payload, close reason) is valid until
 *    the next call.
 *  - The message buffer never holds more than WS_PROTO_MAX bytes.
 */
#ifndef SNOW_WS_PROTO_H
#define SNOW_WS_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ws_frame.h"

#define WS_PROTO_MAX (16u << 20) /* one frame's payload, and a whole message */

typedef enum WsAct {
    WSA_MORE,    /* nothing to do yet */
    WSA_MESSAGE, /* a complete data message: op (text/binary), data, len */
    WSA_PING,    /* answer with a Pong carrying data, len */
    WSA_PONG,    /* a Pong with data, len */
    WSA_CLOSE,   /* the peer closes with `code` (1000 if its Close had none): echo it */
    WSA_FAIL     /* the peer broke the protocol: close with code, reason */
} WsAct;

typedef struct WsAction {
    WsAct act;
    int op;
    const uint8_t *data;
    size_t len;
    int code;
    const char *reason;
} WsAction;

typedef struct WsProto {
    uint8_t *msg;      /* the data message being assembled */
    size_t mlen, mcap;
    int mop;           /* its opcode (0: none in progress) */
    uint32_t utf8;
    int fop;           /* the current frame's opcode */
    uint8_t ctl[125];
    size_t ctl_len;
} WsProto;

/* One piece of a frame (ws_reader_next): what to do. */
WsAct ws_proto_piece(WsProto *p, const WsPiece *pc, WsAction *out);
/* Release the message buffer (also between messages once a big one is
 * done: ws_proto_piece keeps at most 64 KiB of room between messages). */
void ws_proto_free(WsProto *p);

#endif
