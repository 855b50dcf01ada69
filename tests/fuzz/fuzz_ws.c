/* fuzz_ws.c — libFuzzer target: the WebSocket server's input paths on
 * arbitrary bytes (net/ws_frame.h, net/ws_proto.h, net/ws_server.h).
 * The first byte chooses:
 *   even: the rest is a client's byte stream after the handshake: frames
 *         through wslay's frame layer and the rules of ws_proto.c, until
 *         a close, a protocol failure or the end of the bytes;
 *   odd:  the rest is an upgrade request: llhttp (as Ws.serve reads it),
 *         then the handshake checks and the accept key.
 * Every input must end in an action, never a crash, a hang or a sanitizer
 * report; messages stay within 16 MiB.  Built by `make fuzz`
 * (scripts/build-fuzz); a 10-minute run:
 *   mkdir -p /tmp/fws && build/fuzz/fuzz_ws -max_total_time=600 /tmp/fws tests/fuzz/corpus/ws */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"
#include "ws_frame.h"
#include "ws_proto.h"
#include "ws_server.h"

static void frames(const uint8_t *d, size_t n) {
    WsReader *r = ws_reader_new(NULL, d, n);
    WsProto p;
    memset(&p, 0, sizeof p);
    for (;;) {
        WsPiece pc;
        if (ws_reader_next(r, -1, &pc) != WSR_PIECE) break;
        if (pc.len > n) abort(); /* a piece is never more than was given */
        WsAction a;
        WsAct act = ws_proto_piece(&p, &pc, &a);
        if (act == WSA_MESSAGE && (a.len > WS_PROTO_MAX || (a.op != WS_OP_TEXT && a.op != WS_OP_BINARY))) abort();
        if (act == WSA_MESSAGE && a.op == WS_OP_TEXT && ws_utf8_feed(0, a.data, a.len) != WS_UTF8_OK) abort();
        if ((act == WSA_PING || act == WSA_PONG) && a.len > 125) abort();
        if (act == WSA_FAIL && a.code != 1002 && a.code != 1007 && a.code != 1009) abort();
        if (act == WSA_CLOSE || act == WSA_FAIL) break;
    }
    ws_proto_free(&p);
    ws_reader_free(r);
    /* the encoder round-trips what it was given */
    SB b;
    sb_init(&b);
    ws_frame_encode(&b, WS_OP_BINARY, d, n);
    if (b.len < n + 2) abort();
    sb_free(&b);
}

static void handshake(const uint8_t *d, size_t n) {
    HttpParser p;
    http_parse_init(&p, HTTP_REQUEST, 0, 0, 0);
    size_t pos = 0;
    HttpEvent ev;
    do ev = http_parse_run(&p, (const char *)d, &pos, n);
    while (ev == HP_HEAD);
    if (ev == HP_MESSAGE) {
        char acc[29];
        const char *why = ws_handshake_check((const char *)d + p.method.off, p.method.len,
                                             (const char *)d + p.head.off, p.nheaders ? p.head.len : 0, acc);
        if (!why && strlen(acc) != 28) abort();
    }
    http_parse_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    if (data[0] & 1) handshake(data + 1, size - 1);
    else frames(data + 1, size - 1);
    return 0;
}
