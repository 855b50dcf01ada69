/* ws_frame.c — frames over libwslay's frame layer, the close payload and
 * incremental UTF-8 validation (ws_frame.h). */
#include "ws_frame.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>

#include <wslay/wslay.h>

#include "fdio.h"
#include "poll.h"
#include "rt.h"
#include "xalloc.h"

struct WsReader {
    wslay_frame_context_ptr ctx;
    NetConn *net;
    int64_t deadline;
    int last;          /* the last read: > 0, 0 (EOF), -errno */
    uint8_t *pre;      /* bytes read with the handshake, not yet handed to wslay */
    size_t pre_len, pre_pos;
    uint64_t left;     /* payload bytes of the current frame still to come */
    bool in_frame;
    uint64_t fed, used; /* bytes given to wslay / bytes of the frames it returned */
};

/* wslay wants bytes: the handshake's leftovers first, then the socket
 * (parking this process). */
static ssize_t recv_cb(uint8_t *buf, size_t len, int flags, void *ud) {
    (void)flags;
    WsReader *r = ud;
    if (r->pre_pos < r->pre_len) {
        size_t n = r->pre_len - r->pre_pos;
        if (n > len) n = len;
        memcpy(buf, r->pre + r->pre_pos, n);
        r->pre_pos += n;
        r->last = (int)n;
        r->fed += n;
        return (ssize_t)n;
    }
    if (!r->net) { /* bytes only (the fuzz target): they are all there is */
        r->last = 0;
        return -1;
    }
    ssize_t n = conn_read(r->net, buf, len, r->deadline);
    r->last = n > 0 ? 1 : (int)n;
    if (n > 0) {
        r->fed += (uint64_t)n;
        return n;
    }
    return -1; /* wslay: "want read"; r->last says why */
}

/* the reader never sends */
static ssize_t send_cb(const uint8_t *data, size_t len, int flags, void *ud) {
    (void)data;
    (void)len;
    (void)flags;
    (void)ud;
    return -1;
}

static int genmask_cb(uint8_t *buf, size_t len, void *ud) {
    (void)ud;
    memset(buf, 0, len); /* the server never masks */
    return 0;
}

static void ctx_open(WsReader *r) {
    static const struct wslay_frame_callbacks cbs = {send_cb, recv_cb, genmask_cb};
    if (wslay_frame_context_init(&r->ctx, &cbs, r) != 0) rt_fatal("out of memory (a WebSocket frame reader)");
}

/* One look at the socket (journaled): > 0 bytes are waiting, 0 at the
 * end of the stream, -EAGAIN if none yet, -errno. */
static int64_t peek_live(int fd, void *ud, void *out, size_t cap, size_t *len) {
    (void)ud;
    (void)out;
    (void)cap;
    (void)len;
    char c;
    ssize_t n;
    do n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    return n < 0 ? (errno == EWOULDBLOCK ? -EAGAIN : -errno) : n;
}

/* Between frames, with nothing buffered in wslay: wait for the socket
 * without wslay's context (its 4 KiB buffer is freed while a connection
 * is idle).  The poller's readiness may be stale (the last read took
 * everything without meeting EAGAIN), so the socket is asked first.
 * False: the deadline passed. */
static bool wait_idle(WsReader *r, int64_t deadline) {
    if (r->ctx) {
        wslay_frame_context_free(r->ctx);
        r->ctx = NULL;
    }
    int fd = r->net->fd;
    for (;;) {
        if (r->net->tls && tls_pending(r->net->tls)) return true;
        uint32_t tick = poll_tick(fd);
        if (fdio_call(fd, peek_live, NULL, NULL, 0, NULL) != -EAGAIN) return true; /* bytes, EOF, error: read */
        poll_clear(fd, POLLIN, tick);
        int w = poll_wait(fd, POLLIN, deadline);
        if (!w) return false;
        if (w & POLLNVAL) return true;
    }
}

static unsigned header_len(uint64_t n, bool mask) {
    return 2u + (n < 126 ? 0u : n < 65536 ? 2u : 8u) + (mask ? 4u : 0u);
}

WsReader *ws_reader_new(NetConn *net, const void *pre, size_t n) {
    WsReader *r = xcalloc(1, sizeof *r);
    r->net = net;
    if (n) {
        r->pre = xmalloc(n);
        memcpy(r->pre, pre, n);
        r->pre_len = n;
    }
    return r;
}

void ws_reader_free(WsReader *r) {
    if (!r) return;
    if (r->ctx) wslay_frame_context_free(r->ctx);
    free(r->pre);
    free(r);
}

WsRead ws_reader_next(WsReader *r, int64_t deadline, WsPiece *out) {
    r->deadline = deadline;
    for (;;) {
        if (r->pre && r->pre_pos == r->pre_len) { /* leftovers consumed: free them */
            free(r->pre);
            r->pre = NULL;
            r->pre_len = r->pre_pos = 0;
        }
        if (r->net && !r->in_frame && !r->pre && r->fed == r->used && !wait_idle(r, deadline)) return WSR_TIMEOUT;
        if (!r->ctx) ctx_open(r);
        struct wslay_frame_iocb io;
        memset(&io, 0, sizeof io);
        r->last = 1;
        ssize_t n = wslay_frame_recv(r->ctx, &io);
        if (n == WSLAY_ERR_PROTO) return WSR_PROTO;
        if (n < 0) {
            if (r->last == -ETIMEDOUT) return WSR_TIMEOUT;
            if (r->last <= 0) return WSR_EOF;
            continue; /* wslay wants more than one read gave: read again */
        }
        out->first = !r->in_frame;
        if (out->first) {
            r->left = io.payload_length;
            r->used += header_len(io.payload_length, io.mask);
        }
        r->used += (uint64_t)n;
        r->left -= (uint64_t)n;
        r->in_frame = r->left > 0;
        out->last = !r->in_frame;
        out->fin = io.fin;
        out->mask = io.mask;
        out->rsv = io.rsv;
        out->opcode = io.opcode;
        out->length = io.payload_length;
        out->data = io.data;
        out->len = (size_t)n;
        return WSR_PIECE;
    }
}

/* ---- writing ------------------------------------------------------------------------------- */

/* One encoder per thread (encoding never parks, so a process cannot move
 * to another thread while it uses it); wslay passes the user data given
 * at init to the callback, so the output buffer is a thread slot too.
 * A thread's encoder is freed when the thread ends. */
static _Thread_local wslay_frame_context_ptr enc;
static _Thread_local SB *enc_out;
static pthread_key_t enc_key;
static pthread_once_t enc_once = PTHREAD_ONCE_INIT;

static void enc_free(void *p) { wslay_frame_context_free(p); }
static void enc_key_init(void) { pthread_key_create(&enc_key, enc_free); }

static ssize_t enc_cb(const uint8_t *data, size_t len, int flags, void *ud) {
    (void)flags;
    (void)ud;
    sb_put(enc_out, (const char *)data, len);
    return (ssize_t)len;
}

void ws_frame_encode(SB *out, int opcode, const void *data, size_t len) {
    if (!enc) {
        static const struct wslay_frame_callbacks cbs = {enc_cb, recv_cb, genmask_cb};
        if (wslay_frame_context_init(&enc, &cbs, NULL) != 0) rt_fatal("out of memory (a WebSocket encoder)");
        pthread_once(&enc_once, enc_key_init);
        pthread_setspecific(enc_key, enc);
    }
    enc_out = out;
    static const uint8_t none[1] = {0};
    struct wslay_frame_iocb io = {.fin = 1, .rsv = 0, .opcode = (uint8_t)opcode, .payload_length = len,
                                  .mask = 0, .data = len ? data : none, .data_length = len};
    size_t done = 0;
    do {
        ssize_t n = wslay_frame_send(enc, &io);
        if (n < 0) rt_fatal("wslay_frame_send: error %zd", n);
        done += (size_t)n;
        io.data += n;
        io.data_length -= (size_t)n;
    } while (done < len);
    enc_out = NULL;
}

void ws_frame_close(SB *out, int code, const char *reason) {
    uint8_t p[125];
    p[0] = (uint8_t)(code >> 8);
    p[1] = (uint8_t)code;
    size_t rl = reason ? strlen(reason) : 0;
    if (rl > 123) {
        rl = 123;
        while (rl > 0 && ((uint8_t)reason[rl] & 0xC0) == 0x80) rl--; /* a character boundary */
    }
    if (rl) memcpy(p + 2, reason, rl);
    ws_frame_encode(out, WS_OP_CLOSE, p, 2 + rl);
}

/* ---- UTF-8 ---------------------------------------------------------------------------------- */

/* State: 0 between characters, 1 invalid, else (need << 16 | lo << 8 | hi):
 * `need` continuation bytes to come, the next one within [lo, hi] (the
 * first continuation is narrowed to refuse overlongs, surrogates and code
 * points past U+10FFFF). */
uint32_t ws_utf8_feed(uint32_t st, const uint8_t *s, size_t n) {
    if (st == WS_UTF8_BAD) return st;
    for (size_t i = 0; i < n; i++) {
        uint32_t b = s[i];
        if (st == 0) {
            if (b < 0x80) continue;
            uint32_t need, lo = 0x80, hi = 0xBF;
            if (b >= 0xC2 && b <= 0xDF) need = 1;
            else if (b == 0xE0) need = 2, lo = 0xA0;
            else if (b >= 0xE1 && b <= 0xEF) need = 2, hi = b == 0xED ? 0x9F : 0xBF;
            else if (b == 0xF0) need = 3, lo = 0x90;
            else if (b >= 0xF1 && b <= 0xF3) need = 3;
            else if (b == 0xF4) need = 3, hi = 0x8F;
            else return WS_UTF8_BAD;
            st = need << 16 | lo << 8 | hi;
        } else {
            uint32_t need = st >> 16, lo = (st >> 8) & 0xFF, hi = st & 0xFF;
            if (b < lo || b > hi) return WS_UTF8_BAD;
            st = --need ? (need << 16 | 0x80 << 8 | 0xBF) : 0;
        }
    }
    return st;
}

bool ws_close_code_valid(int c) {
    if (c >= 3000 && c <= 4999) return true;
    return (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014);
}
