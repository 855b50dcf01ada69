/* test_ws.c — the WebSocket pieces without sockets: the handshake checks
 * and accept key (RFC 6455 §1.3's example), the encoder's length forms
 * read back through the frame reader (wslay), UTF-8 validation with
 * fail-fast, the frame rules of ws_proto.c, and a replay of the fuzz
 * corpus (tests/fuzz/corpus/ws) through the fuzz target's checks. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ws_frame.h"
#include "ws_proto.h"
#include "ws_server.h"

static const char *HEAD_OK =
    "Host: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13";

TEST(accept_key_rfc_example) {
    char acc[29];
    CHECK(ws_handshake_check("GET", 3, HEAD_OK, strlen(HEAD_OK), acc) == NULL);
    CHECK_EQ_STR(acc, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(handshake_reasons) {
    char acc[29];
    CHECK_EQ_STR(ws_handshake_check("POST", 4, HEAD_OK, strlen(HEAD_OK), acc), "method must be GET");
    const char *h1 = "Connection: Upgrade\r\nSec-WebSocket-Key: x\r\nSec-WebSocket-Version: 13";
    CHECK_EQ_STR(ws_handshake_check("GET", 3, h1, strlen(h1), acc), "missing or invalid Upgrade header");
    const char *h2 = "Upgrade: WebSocket\r\nConnection: keep-alive\r\nSec-WebSocket-Key: x\r\nSec-WebSocket-Version: 13";
    CHECK_EQ_STR(ws_handshake_check("GET", 3, h2, strlen(h2), acc), "missing or invalid Connection header");
    const char *h3 = "Upgrade: websocket\r\nConnection: keep-alive, UPGRADE\r\nSec-WebSocket-Version: 13";
    CHECK_EQ_STR(ws_handshake_check("get", 3, h3, strlen(h3), acc), "missing Sec-WebSocket-Key header");
    const char *h4 = "Upgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Key: x\r\nSec-WebSocket-Version: 8";
    CHECK_EQ_STR(ws_handshake_check("GET", 3, h4, strlen(h4), acc),
                 "missing or invalid Sec-WebSocket-Version (must be 13)");
}

/* Frames encoded by the server, read back by the reader: lengths and
 * header forms (the reader refuses nothing; unmasked is ws_proto's rule). */
TEST(encode_read_back) {
    static const size_t sizes[] = {0, 1, 125, 126, 127, 65535, 65536, 70000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        char *p = malloc(n + 1);
        memset(p, 'a' + (int)(i % 26), n);
        SB b;
        sb_init(&b);
        ws_frame_encode(&b, WS_OP_BINARY, p, n);
        size_t hdr = n < 126 ? 2 : n < 65536 ? 4 : 10;
        CHECK_EQ_INT(b.len, n + hdr);
        CHECK_EQ_INT((unsigned char)b.p[0], 0x82); /* FIN, binary */
        WsReader *r = ws_reader_new(NULL, b.p, b.len);
        WsPiece pc;
        size_t got = 0;
        bool first = true;
        while (ws_reader_next(r, -1, &pc) == WSR_PIECE) {
            CHECK(pc.first == first);
            first = false;
            CHECK(pc.fin && !pc.mask && pc.opcode == WS_OP_BINARY && pc.length == n);
            CHECK(memcmp(pc.data, p + got, pc.len) == 0);
            got += pc.len;
            if (pc.last) break;
        }
        CHECK_EQ_INT(got, n);
        ws_reader_free(r);
        sb_free(&b);
        free(p);
    }
}

TEST(close_payload) {
    SB b;
    sb_init(&b);
    char reason[200];
    memset(reason, 'r', sizeof reason - 1);
    reason[sizeof reason - 1] = 0;
    ws_frame_close(&b, 1001, reason);
    CHECK_EQ_INT((unsigned char)b.p[0], 0x88);
    CHECK_EQ_INT(b.p[1], 125); /* 2-byte code + the reason cut to 123 */
    CHECK_EQ_INT(((unsigned char)b.p[2] << 8) | (unsigned char)b.p[3], 1001);
    sb_free(&b);
    sb_init(&b);
    /* a cut never splits a character: 61 two-byte characters + "x" = 123 bytes, then é */
    char u[300] = "x";
    for (int i = 0; i < 70; i++) strcat(u, "\xc3\xa9");
    ws_frame_close(&b, 1000, u);
    CHECK_EQ_INT(b.p[1], 2 + 123);
    CHECK(ws_utf8_feed(0, (const uint8_t *)b.p + 4, (size_t)b.p[1] - 2) == WS_UTF8_OK);
    sb_free(&b);
}

static uint32_t feed_str(const char *s) { return ws_utf8_feed(0, (const uint8_t *)s, strlen(s)); }

TEST(utf8) {
    CHECK(feed_str("hello") == WS_UTF8_OK);
    CHECK(feed_str("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5") == WS_UTF8_OK); /* κόσμε */
    CHECK(feed_str("\xf4\x8f\xbf\xbf") == WS_UTF8_OK);                           /* U+10FFFF */
    CHECK(feed_str("\xed\x9f\xbf") == WS_UTF8_OK);                               /* U+D7FF */
    CHECK(feed_str("\xed\xa0\x80") == WS_UTF8_BAD);                              /* a surrogate */
    CHECK(feed_str("\xf4\x90\x80\x80") == WS_UTF8_BAD);                          /* past U+10FFFF */
    CHECK(feed_str("\xc0\xaf") == WS_UTF8_BAD);                                  /* overlong */
    CHECK(feed_str("\xe0\x80\xaf") == WS_UTF8_BAD);
    CHECK(feed_str("\x80") == WS_UTF8_BAD);
    CHECK(feed_str("\xfe") == WS_UTF8_BAD);
    /* fail-fast: the first impossible byte, whatever follows */
    CHECK(feed_str("ab\xed\xa0") == WS_UTF8_BAD);
    /* unfinished: neither OK nor BAD until the next piece */
    uint32_t st = feed_str("\xe2\x82");
    CHECK(st != WS_UTF8_OK && st != WS_UTF8_BAD);
    CHECK(ws_utf8_feed(st, (const uint8_t *)"\xac", 1) == WS_UTF8_OK); /* € across pieces */
    CHECK(ws_utf8_feed(st, (const uint8_t *)"x", 1) == WS_UTF8_BAD);
}

/* A client frame (masked with a zero key: the bytes stay readable). */
static size_t client_frame(uint8_t *out, int op, bool fin, int rsv, const char *payload, size_t n) {
    out[0] = (uint8_t)((fin ? 0x80 : 0) | rsv << 4 | op);
    out[1] = (uint8_t)(0x80 | n);
    memset(out + 2, 0, 4);
    memcpy(out + 6, payload, n);
    return 6 + n;
}

/* Run the bytes through reader + rules: the acts, as letters (M message,
 * P ping, O pong, C close, F fail), and the last code. */
static void acts(const uint8_t *d, size_t n, char *out, int *code) {
    WsReader *r = ws_reader_new(NULL, d, n);
    WsProto p;
    memset(&p, 0, sizeof p);
    WsPiece pc;
    size_t k = 0;
    *code = 0;
    while (ws_reader_next(r, -1, &pc) == WSR_PIECE) {
        WsAction a;
        WsAct act = ws_proto_piece(&p, &pc, &a);
        if (act == WSA_MORE) continue;
        out[k++] = "?MPOCF"[act];
        if (act == WSA_CLOSE || act == WSA_FAIL) {
            *code = a.code;
            break;
        }
    }
    out[k] = 0;
    ws_proto_free(&p);
    ws_reader_free(r);
}

TEST(frame_rules) {
    uint8_t b[512];
    char got[32];
    int code;
    size_t n = client_frame(b, WS_OP_TEXT, false, 0, "frag", 4);
    n += client_frame(b + n, WS_OP_PING, true, 0, "p", 1);
    n += client_frame(b + n, WS_OP_CONT, true, 0, "ment", 4);
    n += client_frame(b + n, WS_OP_CLOSE, true, 0, "\x03\xe8", 2);
    acts(b, n, got, &code);
    CHECK_EQ_STR(got, "PMC");
    CHECK_EQ_INT(code, 1000);
    n = client_frame(b, WS_OP_TEXT, true, 1, "x", 1);
    acts(b, n, got, &code);
    CHECK_EQ_STR(got, "F");
    CHECK_EQ_INT(code, 1002); /* RSV */
    n = client_frame(b, 3, true, 0, "x", 1);
    acts(b, n, got, &code);
    CHECK_EQ_INT(code, 1002); /* opcode */
    n = client_frame(b, WS_OP_CONT, true, 0, "x", 1);
    acts(b, n, got, &code);
    CHECK_EQ_INT(code, 1002); /* nothing to continue */
    n = client_frame(b, WS_OP_TEXT, true, 0, "\xff", 1);
    acts(b, n, got, &code);
    CHECK_EQ_INT(code, 1007);
    n = client_frame(b, WS_OP_CLOSE, true, 0, "\x03\xed", 2); /* 1005 may not be sent */
    acts(b, n, got, &code);
    CHECK_EQ_INT(code, 1002);
    n = client_frame(b, WS_OP_CLOSE, true, 0, "", 0);
    acts(b, n, got, &code);
    CHECK_EQ_STR(got, "C");
    CHECK_EQ_INT(code, 1000);
    /* a frame declaring 16 MiB + 1: refused on its first payload bytes */
    uint8_t big[20] = {0x82, 0xFF, 0, 0, 0, 0, 0x01, 0, 0, 0x01, 0, 0, 0, 0, 'a', 'b'};
    acts(big, 16, got, &code);
    CHECK_EQ_INT(code, 1009);
}

/* ---- the fuzz corpus, replayed through the fuzz target's body ------------------------------- */

#define LLVMFuzzerTestOneInput fuzz_ws_one
#include "../fuzz/fuzz_ws.c"
#undef LLVMFuzzerTestOneInput

TEST(fuzz_corpus) {
    const char *dir = "tests/fuzz/corpus/ws";
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d) return;
    int files = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f) continue;
        uint8_t buf[8192];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        fuzz_ws_one(buf, n);
        files++;
    }
    closedir(d);
    CHECK(files >= 12);
}

int main(void) {
    RUN(accept_key_rfc_example);
    RUN(handshake_reasons);
    RUN(encode_read_back);
    RUN(close_payload);
    RUN(utf8);
    RUN(frame_rules);
    RUN(fuzz_corpus);
    return harness_report();
}
