/* ws_proto.c — the per-frame and per-message rules (ws_proto.h). */
#include "ws_proto.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static WsAct fail(WsAction *out, int code, const char *reason) {
    out->act = WSA_FAIL;
    out->code = code;
    out->reason = reason;
    return WSA_FAIL;
}

/* The frame's header, on its first piece: NULL if acceptable. */
static const char *check_header(const WsProto *p, const WsPiece *pc, int *code) {
    int op = pc->opcode;
    bool ctl = op >= 8;
    *code = 1002;
    if (pc->rsv) return "reserved bits set";
    if (!(op <= 2 || (op >= 8 && op <= 10))) return "unknown opcode";
    if (!pc->mask) return "unmasked client frame";
    if (ctl) return NULL; /* wslay refuses long or fragmented control frames */
    if (op == WS_OP_CONT && !p->mop) return "unexpected continuation frame";
    if (op != WS_OP_CONT && p->mop) return "new message during fragmented sequence";
    size_t have = op == WS_OP_CONT ? p->mlen : 0;
    if (pc->length > WS_PROTO_MAX || have + pc->length > WS_PROTO_MAX) {
        *code = 1009;
        return "message too big";
    }
    return NULL;
}

static void append(WsProto *p, const uint8_t *d, size_t n) {
    if (!n) return;
    if (p->mlen + n > p->mcap) {
        size_t cap = p->mcap ? p->mcap : 1024;
        while (cap < p->mlen + n) cap *= 2;
        p->msg = xrealloc(p->msg, cap);
        p->mcap = cap;
    }
    memcpy(p->msg + p->mlen, d, n);
    p->mlen += n;
}

static WsAct control(WsProto *p, WsAction *out) {
    out->data = p->ctl;
    out->len = p->ctl_len;
    if (p->fop == WS_OP_PING) return out->act = WSA_PING;
    if (p->fop == WS_OP_PONG) return out->act = WSA_PONG;
    out->code = 1000;
    out->reason = "";
    if (p->ctl_len == 1) return fail(out, 1002, "protocol error");
    if (p->ctl_len >= 2) {
        int c = p->ctl[0] << 8 | p->ctl[1];
        if (!ws_close_code_valid(c)) return fail(out, 1002, "invalid close code");
        if (ws_utf8_feed(0, p->ctl + 2, p->ctl_len - 2) != WS_UTF8_OK) return fail(out, 1007, "invalid UTF-8");
        out->code = c;
    }
    return out->act = WSA_CLOSE;
}

WsAct ws_proto_piece(WsProto *p, const WsPiece *pc, WsAction *out) {
    out->act = WSA_MORE;
    if (pc->first) {
        int code;
        const char *bad = check_header(p, pc, &code);
        if (bad) return fail(out, code, bad);
        p->fop = pc->opcode;
        if (p->fop >= 8) {
            p->ctl_len = 0;
        } else if (p->fop != WS_OP_CONT) {
            p->mop = p->fop;
            p->mlen = 0;
            p->utf8 = WS_UTF8_OK;
            if (p->mcap > (64u << 10)) { /* the last message was big: give its room back */
                free(p->msg);
                p->msg = NULL;
                p->mcap = 0;
            }
        }
    }
    if (p->fop >= 8) {
        size_t n = pc->len > sizeof p->ctl - p->ctl_len ? sizeof p->ctl - p->ctl_len : pc->len;
        memcpy(p->ctl + p->ctl_len, pc->data, n);
        p->ctl_len += n;
        return pc->last ? control(p, out) : WSA_MORE;
    }
    append(p, pc->data, pc->len);
    if (p->mop == WS_OP_TEXT) {
        p->utf8 = ws_utf8_feed(p->utf8, pc->data, pc->len);
        if (p->utf8 == WS_UTF8_BAD || (pc->last && pc->fin && p->utf8 != WS_UTF8_OK))
            return fail(out, 1007, "invalid UTF-8");
    }
    if (!pc->last || !pc->fin) return WSA_MORE;
    out->op = p->mop;
    out->data = p->msg ? p->msg : (const uint8_t *)"";
    out->len = p->mlen;
    p->mop = 0;
    return out->act = WSA_MESSAGE;
}

void ws_proto_free(WsProto *p) {
    free(p->msg);
    p->msg = NULL;
    p->mlen = p->mcap = 0;
}
