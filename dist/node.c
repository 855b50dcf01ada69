/* node.c — this program's node: identity, peers, routing (see node.h). */
#include "node.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "event.h"
#include "fdio.h"
#include "list.h"
#include "mbox.h"
#include "mt.h"
#include "poll.h"
#include "proc.h"
#include "registry.h"
#include "rt.h"
#include "sched.h"
#include "session.h"
#include "str.h"
#include "sysmsg.h"
#include "vals.h"
#include "wire.h"
#include "xalloc.h"

#define MAX_PEERS 0xFFFE      /* node ids 1..0xFFFE; never reused */
#define DEAD_NODE 0xFFFF      /* pids of an incarnation we never met: always dead */

enum { REL_LINK, REL_MON_OUT /* local watches remote */, REL_MON_IN /* remote watches local */ };
typedef struct Rel {
    uint8_t kind;
    uint64_t local, remote, ref;
} Rel;

typedef struct Pending { /* a remote spawn waiting for its reply */
    uint64_t req, caller;
} Pending;

typedef struct Peer {
    char *name;
    uint32_t creation;
    uint32_t id;
    Sess *sess; /* NULL while not connected */
    Rel *rels;
    size_t nrels, caprels;
    Pending *pend;
    size_t npend, cappend;
} Peer;

typedef struct Global {
    char *name;
    uint64_t pid;
    char *owner;
} Global;

typedef struct NodeMon {
    uint64_t pid;
    char *node;
} NodeMon;

typedef struct FnReg {
    const char *name;
    Value fn;
} FnReg;

static struct {
    MtLock lk;
    bool started, configured;
    char *name, *cookie;
    size_t cookie_len;
    uint32_t creation;
    int lfd;
    uint32_t npeers;
    Global *globals;
    size_t nglobals, capglobals;
    NodeMon *nmons;
    size_t nnmons, capnmons;
    _Atomic uint64_t next_req;
    FnReg *fns;
    size_t nfns, capfns;
} N = {.lfd = -1};

/* Indexed by node id; records are immutable but for sess/rels/pend (under
 * N.lk), so the pid callbacks read names without the lock. */
static Peer *peers[MAX_PEERS + 1];

static const ProcRemote remote_ops;

#define GROW(v, n, cap)                                                   \
    do {                                                                  \
        if ((n) == (cap)) {                                               \
            (cap) = (cap) ? 2 * (cap) : 8;                                \
            (v) = xrealloc((v), (cap) * sizeof *(v));                     \
        }                                                                 \
    } while (0)

/* ---- names ---------------------------------------------------------------------------------- */

bool dist_parse_name(const char *name, char *host, size_t hostcap, int *port) {
    size_t len = strlen(name);
    const char *at = strchr(name, '@');
    if (!at || at == name || len > WIRE_MAX_NAME) return false;
    for (const char *p = name; p < at; p++)
        if (!(*p == '_' || *p == '-' || *p == '.' || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
              (*p >= 'A' && *p <= 'Z')))
            return false;
    const char *h = at + 1;
    const char *colon = strrchr(h, ':');
    size_t hl = colon ? (size_t)(colon - h) : strlen(h);
    if (hl == 0 || hl >= hostcap) return false;
    for (size_t i = 0; i < hl; i++)
        if (h[i] == '@' || h[i] == ' ' || h[i] == '/' || (unsigned char)h[i] < 0x21) return false;
    memcpy(host, h, hl);
    host[hl] = 0;
    *port = DIST_DEFAULT_PORT;
    if (colon) {
        char *end;
        errno = 0;
        long p = strtol(colon + 1, &end, 10);
        if (!colon[1] || *end || errno || p < 1 || p > 65535) return false;
        *port = (int)p;
    }
    return true;
}

const char *dist_self(void) { return N.started ? N.name : ""; }
bool dist_started(void) { return N.started; }

void dist_set_heartbeat(int64_t interval_ms, int64_t timeout_ms) {
    if (interval_ms > 0) sess_hb_interval = interval_ms;
    if (timeout_ms > 0) sess_hb_timeout = timeout_ms;
}

/* ---- peers (N.lk held) ---------------------------------------------------------------------- */

static Peer *peer_by_name_up(const char *name) {
    for (uint32_t i = 1; i <= N.npeers; i++)
        if (peers[i]->sess && strcmp(peers[i]->name, name) == 0) return peers[i];
    return NULL;
}

static Peer *peer_find(const char *name, size_t len, uint32_t creation) {
    for (uint32_t i = 1; i <= N.npeers; i++)
        if (peers[i]->creation == creation && strlen(peers[i]->name) == len && memcmp(peers[i]->name, name, len) == 0)
            return peers[i];
    return NULL;
}

static bool name_known(const char *name, size_t len) {
    for (uint32_t i = 1; i <= N.npeers; i++)
        if (strlen(peers[i]->name) == len && memcmp(peers[i]->name, name, len) == 0) return true;
    return false;
}

static Peer *peer_new(const char *name, uint32_t creation) {
    if (N.npeers >= MAX_PEERS) return NULL;
    Peer *p = xcalloc(1, sizeof *p);
    p->name = xstrdup(name);
    p->creation = creation;
    p->id = ++N.npeers;
    peers[p->id] = p;
    return p;
}

static void rel_add(Peer *p, int kind, uint64_t local, uint64_t remote, uint64_t ref) {
    GROW(p->rels, p->nrels, p->caprels);
    p->rels[p->nrels++] = (Rel){(uint8_t)kind, local, remote, ref};
}

static void rel_del(Peer *p, int kind, uint64_t local, uint64_t remote, uint64_t ref) {
    for (size_t i = 0; i < p->nrels; i++) {
        Rel *r = &p->rels[i];
        if (r->kind == kind && r->local == local && r->remote == remote && (kind == REL_LINK || r->ref == ref)) {
            p->rels[i] = p->rels[--p->nrels];
            return;
        }
    }
}

/* ---- pids on the wire ------------------------------------------------------------------------- */

static bool pid_out(void *ud, uint64_t pid, const char **node, size_t *len, uint32_t *cr, uint64_t *serial) {
    (void)ud;
    uint32_t id = pid_node(pid);
    if (id == 0) {
        *node = N.started ? N.name : "nonode@nohost";
        *cr = N.started ? N.creation : 0;
    } else if (id <= N.npeers && peers[id]) {
        *node = peers[id]->name;
        *cr = peers[id]->creation;
    } else {
        *node = "nonode@nohost"; /* a pid that is dead everywhere */
        *cr = 0;
    }
    *len = strlen(*node);
    *serial = pid_serial(pid);
    return true;
}

static bool pid_in(void *ud, const char *node, size_t len, uint32_t cr, uint64_t serial, uint64_t *pid) {
    (void)ud;
    if (N.started && strlen(N.name) == len && memcmp(N.name, node, len) == 0) {
        *pid = cr == N.creation ? pid_make(0, 0, serial) : pid_make(DEAD_NODE, cr, serial);
        return true;
    }
    if (len == 13 && memcmp(node, "nonode@nohost", 13) == 0) {
        *pid = pid_make(DEAD_NODE, cr, serial);
        return true;
    }
    mt_lock(&N.lk);
    Peer *p = peer_find(node, len, cr);
    bool known = p || name_known(node, len);
    mt_unlock(&N.lk);
    if (!known) return false; /* a node never heard of: not to be trusted */
    *pid = p ? pid_make(p->id, p->creation, serial) : pid_make(DEAD_NODE, cr, serial);
    return true;
}

static const WirePids PIDS = {NULL, pid_out, pid_in};

/* The local pid a peer names by serial; the peer's own pid by serial. */
static uint64_t local_pid(uint64_t serial) { return pid_make(0, 0, serial); }
static uint64_t peer_pid(Peer *p, uint64_t serial) { return pid_make(p->id, p->creation, serial); }

/* ---- frames out -------------------------------------------------------------------------------- */

static _Thread_local WBuf scratch;

/* A thread's scratch buffer is freed when the thread ends (the scheduler
 * threads, and the thread `snow run` runs the scheduler on, end before the
 * program exits). */
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static void scratch_free(void *b) { wbuf_free(b); }
static void scratch_key_make(void) { pthread_key_create(&scratch_key, scratch_free); }

static WBuf *frame_begin(int type) {
    if (!scratch.p) {
        pthread_once(&scratch_once, scratch_key_make);
        pthread_setspecific(scratch_key, &scratch);
    }
    scratch.len = 0;
    wbuf_u8(&scratch, (uint8_t)type);
    return &scratch;
}

static void frame_done(void) {
    if (scratch.cap > (1u << 20)) wbuf_free(&scratch);
}

/* Encode v into the frame, or panic in the sender (decision 31). */
static void frame_value(WBuf *b, Value v) {
    char err[400];
    if (!wire_encode(b, v, &PIDS, err, sizeof err)) {
        b->len = 0;
        rt_panic("%s", err);
    }
}

/* Send the frame in scratch to the peer of node id `id` (if connected). */
static void frame_to_id(uint32_t id, uint64_t from) {
    mt_lock(&N.lk);
    Peer *p = id >= 1 && id <= N.npeers ? peers[id] : NULL;
    if (p && p->sess) sess_send(p->sess, from, scratch.p, scratch.len);
    mt_unlock(&N.lk);
    frame_done();
}

/* ---- the runtime's remote operations --------------------------------------------------------- */

static void r_send(uint64_t from, uint64_t to, Value msg) {
    WBuf *b = frame_begin(FR_SEND);
    wbuf_varint(b, pid_serial(to));
    frame_value(b, msg);
    frame_to_id(pid_node(to), from);
}

/* A relation with a process of a connected peer: record it and send the
 * frame in scratch.  False if the peer is not connected. */
static bool rel_frame(uint64_t remote, int kind, uint64_t local, uint64_t ref, bool add, uint64_t from) {
    uint32_t id = pid_node(remote);
    mt_lock(&N.lk);
    Peer *p = id >= 1 && id <= N.npeers ? peers[id] : NULL;
    bool up = p && p->sess;
    if (up) {
        if (add) rel_add(p, kind, local, remote, ref);
        else rel_del(p, kind, local, remote, ref);
        sess_send(p->sess, from, scratch.p, scratch.len);
    }
    mt_unlock(&N.lk);
    frame_done();
    return up;
}

static bool r_link(uint64_t local, uint64_t remote) {
    WBuf *b = frame_begin(FR_LINK);
    wbuf_varint(b, pid_serial(local));
    wbuf_varint(b, pid_serial(remote));
    return rel_frame(remote, REL_LINK, local, 0, true, local);
}

static void r_unlink(uint64_t local, uint64_t remote) {
    WBuf *b = frame_begin(FR_UNLINK);
    wbuf_varint(b, pid_serial(local));
    wbuf_varint(b, pid_serial(remote));
    rel_frame(remote, REL_LINK, local, 0, false, local);
}

static bool r_monitor(uint64_t watcher, uint64_t target, uint64_t ref) {
    WBuf *b = frame_begin(FR_MONITOR);
    wbuf_varint(b, pid_serial(watcher));
    wbuf_varint(b, pid_serial(target));
    wbuf_varint(b, ref);
    return rel_frame(target, REL_MON_OUT, watcher, ref, true, watcher);
}

static void r_demonitor(uint64_t watcher, uint64_t target, uint64_t ref) {
    WBuf *b = frame_begin(FR_DEMONITOR);
    wbuf_varint(b, pid_serial(watcher));
    wbuf_varint(b, pid_serial(target));
    wbuf_varint(b, ref);
    rel_frame(target, REL_MON_OUT, watcher, ref, false, watcher);
}

static void r_exit(uint64_t from, uint64_t to, Value reason, bool link) {
    WBuf *b = frame_begin(FR_EXIT);
    wbuf_varint(b, pid_serial(from));
    wbuf_varint(b, pid_serial(to));
    wbuf_u8(b, link);
    frame_value(b, reason);
    if (link) rel_frame(to, REL_LINK, from, 0, false, from);
    else frame_to_id(pid_node(to), from);
}

static void r_down(uint64_t target, uint64_t watcher, uint64_t ref, Value reason) {
    WBuf *b = frame_begin(FR_DOWN);
    wbuf_varint(b, pid_serial(target));
    wbuf_varint(b, pid_serial(watcher));
    wbuf_varint(b, ref);
    frame_value(b, reason);
    rel_frame(watcher, REL_MON_IN, target, ref, false, target);
}

static bool r_alive(uint64_t pid) {
    uint32_t id = pid_node(pid);
    mt_lock(&N.lk);
    bool up = id >= 1 && id <= N.npeers && peers[id]->sess;
    mt_unlock(&N.lk);
    return up;
}

static void globals_broadcast_unreg(char **names, size_t n);

static void r_exited(uint64_t pid) {
    if (!N.nglobals) return; /* a racy peek: names are only added by running processes */
    char **gone = NULL;
    size_t ngone = 0, cap = 0;
    mt_lock(&N.lk);
    for (size_t i = 0; i < N.nglobals;) {
        if (N.globals[i].pid == pid) {
            GROW(gone, ngone, cap);
            gone[ngone++] = N.globals[i].name;
            free(N.globals[i].owner);
            N.globals[i] = N.globals[--N.nglobals];
        } else {
            i++;
        }
    }
    mt_unlock(&N.lk);
    globals_broadcast_unreg(gone, ngone);
}

static const ProcRemote remote_ops = {r_send, r_link, r_unlink, r_monitor, r_demonitor, r_exit, r_down, r_alive, r_exited};

/* ---- the global registry ------------------------------------------------------------------------ */

static Global *global_find(const char *name) {
    for (size_t i = 0; i < N.nglobals; i++)
        if (strcmp(N.globals[i].name, name) == 0) return &N.globals[i];
    return NULL;
}

static void global_add(const char *name, uint64_t pid, const char *owner) {
    GROW(N.globals, N.nglobals, N.capglobals);
    N.globals[N.nglobals++] = (Global){xstrdup(name), pid, xstrdup(owner)};
}

/* Send the frame in scratch to every connected peer. */
static void broadcast(uint64_t from) {
    for (uint32_t i = 1; i <= N.npeers; i++)
        if (peers[i]->sess) sess_send(peers[i]->sess, from, scratch.p, scratch.len);
}

static void globals_broadcast_unreg(char **names, size_t n) {
    for (size_t i = 0; i < n; i++) {
        WBuf *b = frame_begin(FR_GLOBAL_UNREG);
        wbuf_name(b, names[i], strlen(names[i]));
        mt_lock(&N.lk);
        broadcast(0);
        mt_unlock(&N.lk);
        frame_done();
        free(names[i]);
    }
    free(names);
}

int dist_global_register(const char *name, uint64_t pid) {
    if (!*name || strlen(name) > WIRE_MAX_NAME) return 1;
    WBuf *b = frame_begin(FR_GLOBAL_REG);
    wbuf_name(b, name, strlen(name));
    frame_value(b, v_pid(pid));
    mt_lock(&N.lk);
    int rc = 1;
    if (!global_find(name)) {
        global_add(name, pid, N.started ? N.name : "nonode@nohost");
        broadcast(proc_self_pid());
        rc = 0;
    }
    mt_unlock(&N.lk);
    frame_done();
    return rc;
}

bool dist_global_whereis(const char *name, uint64_t *pid) {
    mt_lock(&N.lk);
    Global *g = global_find(name);
    if (g) *pid = g->pid;
    mt_unlock(&N.lk);
    return g != NULL;
}

int dist_global_unregister(const char *name) {
    mt_lock(&N.lk);
    Global *g = global_find(name);
    if (g) {
        free(g->name);
        free(g->owner);
        *g = N.globals[--N.nglobals];
    }
    mt_unlock(&N.lk);
    if (!g) return 1;
    char **names = xmalloc(sizeof *names);
    names[0] = xstrdup(name);
    globals_broadcast_unreg(names, 1);
    return 0;
}

/* ---- node monitors ---------------------------------------------------------------------------- */

bool dist_node_monitor(uint64_t pid, const char *node, char *err, size_t errcap) {
    if (!N.started) {
        snprintf(err, errcap, "the node is not started (call Node.start first)");
        return false;
    }
    mt_lock(&N.lk);
    GROW(N.nmons, N.nnmons, N.capnmons);
    N.nmons[N.nnmons++] = (NodeMon){pid, xstrdup(node)};
    mt_unlock(&N.lk);
    return true;
}

/* Pids subscribed to `node` (N.lk held; malloc'd). */
static uint64_t *node_watchers(const char *node, size_t *n) {
    uint64_t *v = xmalloc((N.nnmons + 1) * sizeof *v);
    *n = 0;
    for (size_t i = 0; i < N.nnmons; i++)
        if (strcmp(N.nmons[i].node, node) == 0) v[(*n)++] = N.nmons[i].pid;
    return v;
}

static void node_signal(uint64_t *pids, size_t n, int sig, const char *node) {
    for (size_t i = 0; i < n; i++) proc_send_kind(pids[i], MB_SIGNAL, val_sig_node(sig, str_from_cstr(node)));
    free(pids);
}

/* ---- sessions: registration and loss ----------------------------------------------------------- */

static void reader_main(void *arg);
static void connect_in_background(char **names, size_t n);

/* The acceptor asks: is a session with this incarnation already up? */
static bool admit(const SessPeer *pe) {
    if (strcmp(pe->name, N.name) == 0) return false;
    mt_lock(&N.lk);
    Peer *p = peer_by_name_up(pe->name);
    bool ok = !p || p->creation != pe->creation;
    mt_unlock(&N.lk);
    return ok;
}

/* A finished handshake: make the session the peer's (tie-break of
 * net.md §8.3 step 4), then the post-connect actions of step 5.  False if
 * the session was rejected (it is closed). */
static bool session_register(Sess *s, const SessPeer *pe) {
    mt_lock(&N.lk);
    Peer *old = peer_by_name_up(pe->name);
    Sess *replaced = NULL;
    if (old && old->creation == pe->creation) {
        if (strcmp(N.name, pe->name) < 0) { /* the smaller name keeps the existing connection */
            mt_unlock(&N.lk);
            sess_close(s);
            return false;
        }
        replaced = old->sess; /* its reader ends quietly: it is no longer the peer's */
    }
    Peer *p = peer_find(pe->name, strlen(pe->name), pe->creation);
    if (!p) p = peer_new(pe->name, pe->creation);
    if (!p) {
        mt_unlock(&N.lk);
        sess_close(s);
        return false;
    }
    bool was_up = p->sess != NULL;
    p->sess = s;
    sess_set_user(s, p);
    /* post-connect: the other nodes' names, and our global registry */
    WBuf *b = frame_begin(FR_PEER_LIST);
    uint32_t n = 0;
    for (uint32_t i = 1; i <= N.npeers; i++)
        if (peers[i]->sess && peers[i] != p) n++;
    wbuf_varint(b, n);
    for (uint32_t i = 1; i <= N.npeers; i++)
        if (peers[i]->sess && peers[i] != p) wbuf_name(b, peers[i]->name, strlen(peers[i]->name));
    sess_send(s, 0, b->p, b->len);
    b = frame_begin(FR_GLOBAL_SYNC);
    wbuf_varint(b, N.nglobals);
    for (size_t i = 0; i < N.nglobals; i++) {
        wbuf_name(b, N.globals[i].name, strlen(N.globals[i].name));
        wbuf_name(b, N.globals[i].owner, strlen(N.globals[i].owner));
        char err[200];
        wire_encode(b, v_pid(N.globals[i].pid), &PIDS, err, sizeof err); /* a pid always encodes */
    }
    sess_send(s, 0, b->p, b->len);
    size_t nw = 0;
    uint64_t *w = was_up ? NULL : node_watchers(pe->name, &nw);
    mt_unlock(&N.lk);
    frame_done();
    if (replaced) sess_close(replaced);
    sess_start_writer(s);
    if (EV_ON() && !was_up) {
        Event e = {.kind = EV_NODE_UP, .pid = EV_NOPID, .other = EV_NOPID, .num = p->id, .text = pe->name};
        ev_emit(&e);
    }
    if (w) node_signal(w, nw, SIG_NODEUP, pe->name);
    return true;
}

/* The reader has ended: if the session was still the peer's, the peer is
 * lost (net.md §8.7 steps 1-5). */
static void session_lost(Sess *s, const char *why) {
    Peer *p = sess_user(s);
    if (!p) return;
    mt_lock(&N.lk);
    if (p->sess != s) { /* replaced by a newer connection */
        mt_unlock(&N.lk);
        return;
    }
    p->sess = NULL;
    Rel *rels = p->rels;
    size_t nrels = p->nrels;
    p->rels = NULL;
    p->nrels = p->caprels = 0;
    Pending *pend = p->pend;
    size_t npend = p->npend;
    p->pend = NULL;
    p->npend = p->cappend = 0;
    char **gone = NULL;
    size_t ngone = 0, cap = 0;
    for (size_t i = 0; i < N.nglobals;) {
        Global *g = &N.globals[i];
        if (strcmp(g->owner, p->name) == 0 || pid_node(g->pid) == p->id) {
            GROW(gone, ngone, cap);
            gone[ngone++] = g->name;
            free(g->owner);
            *g = N.globals[--N.nglobals];
        } else {
            i++;
        }
    }
    size_t nw;
    uint64_t *w = node_watchers(p->name, &nw);
    mt_unlock(&N.lk);
    if (strcmp(why, "heartbeat timeout") == 0) {
        fflush(stdout);
        fprintf(stderr, "snow node heartbeat timeout: %s\n", p->name);
    } else if (strncmp(why, "connection closed", 17) != 0) {
        fflush(stdout);
        fprintf(stderr, "snow node: disconnected %s: %s\n", p->name, why);
    }
    if (EV_ON()) { /* before what it causes: the exits, Downs and NodeDowns below */
        Event e = {.kind = EV_NODE_DOWN, .pid = EV_NOPID, .other = EV_NOPID, .num = p->id, .text = p->name,
                   .text2 = why};
        ev_emit(&e);
    }
    Value nc = proc_reason(XR_NOCONNECTION);
    for (size_t i = 0; i < nrels; i++) {
        Rel r = rels[i];
        if (r.kind == REL_LINK) proc_remote_exit(r.remote, r.local, nc, true);
        else if (r.kind == REL_MON_OUT) proc_remote_down(r.remote, r.local, r.ref, nc);
        else proc_remote_demonitor(r.remote, r.local, r.ref);
    }
    free(rels);
    for (size_t i = 0; i < npend; i++)
        proc_send_kind(pend[i].caller, MB_DIST_REPLY,
                       val_tuple2(v_int((int64_t)pend[i].req), val_err_cstr("the connection to the node was lost")));
    free(pend);
    node_signal(w, nw, SIG_NODEDOWN, p->name);
    globals_broadcast_unreg(gone, ngone);
}

/* ---- frames in (on the reader's stack) -------------------------------------------------------- */

static bool bad(char *err, size_t cap, const char *what) {
    snprintf(err, cap, "protocol violation: %s", what);
    return false;
}

static bool decode(WRead *r, Value *v, char *err, size_t cap) {
    char e[200];
    if (!wire_decode(r->p, (size_t)(r->end - r->p), &PIDS, v, e, sizeof e)) {
        snprintf(err, cap, "protocol violation: %s", e);
        return false;
    }
    r->p = r->end;
    return true;
}

static bool serial_ok(uint64_t s) { return s <= 0xffffffffffULL; }

static const FnReg *fn_find(const char *name, size_t len) {
    for (size_t i = N.nfns; i-- > 0;)
        if (strlen(N.fns[i].name) == len && memcmp(N.fns[i].name, name, len) == 0) return &N.fns[i];
    return NULL;
}

static void spawn_reply(Peer *p, uint64_t req, uint64_t caller, bool ok, uint64_t child, const char *msg) {
    WBuf *b = frame_begin(FR_SPAWN_REPLY);
    wbuf_varint(b, req);
    wbuf_varint(b, caller);
    wbuf_u8(b, ok ? 0 : 1);
    if (ok) wbuf_varint(b, pid_serial(child));
    else wbuf_name(b, msg, strlen(msg));
    frame_to_id(p->id, 0);
}

static bool on_spawn(Peer *p, WRead *r, char *err, size_t cap) {
    uint64_t req, caller;
    uint8_t link;
    const char *fname;
    size_t flen;
    if (!wread_varint(r, &req) || !wread_varint(r, &caller) || !serial_ok(caller) || !wread_u8(r, &link) ||
        link > 1 || !wread_name(r, WIRE_MAX_NAME, &fname, &flen))
        return bad(err, cap, "bad SPAWN");
    Value args;
    if (!decode(r, &args, err, cap)) return false;
    if (args.tag != T_LIST) return bad(err, cap, "SPAWN arguments are not a list");
    const FnReg *f = fn_find(fname, flen);
    char msg[300];
    size_t argc = list_len(args);
    if (!f) {
        snprintf(msg, sizeof msg, "no top-level function `%.*s` on %s", (int)flen, fname, N.name);
        spawn_reply(p, req, caller, false, 0, msg);
        return true;
    }
    const FuncObj *fo = AS_FUNC(f->fn);
    if (fo->fn->arity >= 0 && (size_t)fo->fn->arity != argc) {
        snprintf(msg, sizeof msg, "`%s` takes %d arguments, %zu were sent", f->name, fo->fn->arity, argc);
        spawn_reply(p, req, caller, false, 0, msg);
        return true;
    }
    uint64_t rcaller = peer_pid(p, caller);
    SpawnOpts o = {.name = f->name, .terminate = v_unit()};
    /* spawn_link: linked before the child can run (decision 20's scope) */
    uint32_t tok = proc_pause_begin();
    uint64_t child = proc_spawn(f->fn, (int)argc, argc ? list_items(args) : NULL, &o);
    if (link) {
        mt_lock(&N.lk);
        rel_add(p, REL_LINK, child, rcaller, 0);
        mt_unlock(&N.lk);
        proc_remote_link(rcaller, child);
    }
    proc_pause_end(tok);
    spawn_reply(p, req, caller, true, child, NULL);
    return true;
}

static bool on_frame(Sess *s, const uint8_t *body, size_t len, char *err, size_t cap) {
    Peer *p = sess_user(s);
    WRead r = {body + 1, body + len};
    uint64_t a, b, ref;
    Value v;
    switch (body[0]) {
    case FR_SEND:
        if (!wread_varint(&r, &a) || !serial_ok(a)) return bad(err, cap, "bad SEND");
        if (!decode(&r, &v, err, cap)) return false;
        proc_send(local_pid(a), v);
        return true;
    case FR_REG_SEND: {
        const char *nm;
        size_t nl;
        if (!wread_name(&r, WIRE_MAX_NAME, &nm, &nl)) return bad(err, cap, "bad REG_SEND");
        if (!decode(&r, &v, err, cap)) return false;
        uint64_t pid;
        if (reg_whereis(nm, nl, &pid)) proc_send(pid, v);
        return true;
    }
    case FR_PEER_LIST: {
        uint64_t n;
        if (!wread_varint(&r, &n) || n > MAX_PEERS) return bad(err, cap, "bad PEER_LIST");
        char **names = NULL;
        size_t nn = 0, capn = 0;
        for (uint64_t i = 0; i < n; i++) {
            const char *nm;
            size_t nl;
            if (!wread_name(&r, WIRE_MAX_NAME, &nm, &nl)) {
                for (size_t k = 0; k < nn; k++) free(names[k]);
                free(names);
                return bad(err, cap, "bad PEER_LIST");
            }
            char *name = xstrndup(nm, nl);
            char host[256];
            int port;
            if (!dist_parse_name(name, host, sizeof host, &port)) {
                free(name);
                continue;
            }
            GROW(names, nn, capn);
            names[nn++] = name;
        }
        if (r.p != r.end) {
            for (size_t k = 0; k < nn; k++) free(names[k]);
            free(names);
            return bad(err, cap, "bad PEER_LIST");
        }
        connect_in_background(names, nn);
        return true;
    }
    case FR_LINK: case FR_UNLINK:
        if (!wread_varint(&r, &a) || !wread_varint(&r, &b) || !serial_ok(a) || !serial_ok(b) || r.p != r.end)
            return bad(err, cap, "bad LINK");
        mt_lock(&N.lk);
        if (body[0] == FR_LINK) rel_add(p, REL_LINK, local_pid(b), peer_pid(p, a), 0);
        else rel_del(p, REL_LINK, local_pid(b), peer_pid(p, a), 0);
        mt_unlock(&N.lk);
        if (body[0] == FR_LINK) proc_remote_link(peer_pid(p, a), local_pid(b));
        else proc_remote_unlink(peer_pid(p, a), local_pid(b));
        return true;
    case FR_EXIT: {
        uint8_t link;
        if (!wread_varint(&r, &a) || !wread_varint(&r, &b) || !serial_ok(a) || !serial_ok(b) || !wread_u8(&r, &link) ||
            link > 1)
            return bad(err, cap, "bad EXIT");
        if (!decode(&r, &v, err, cap)) return false;
        if (v.tag != T_VARIANT || AS_VARIANT(v)->type != &td_exit_reason) return bad(err, cap, "EXIT reason");
        if (link) {
            mt_lock(&N.lk);
            rel_del(p, REL_LINK, local_pid(b), peer_pid(p, a), 0);
            mt_unlock(&N.lk);
        }
        proc_remote_exit(peer_pid(p, a), local_pid(b), v, link);
        return true;
    }
    case FR_MONITOR: case FR_DEMONITOR:
        if (!wread_varint(&r, &a) || !wread_varint(&r, &b) || !wread_varint(&r, &ref) || !serial_ok(a) ||
            !serial_ok(b) || r.p != r.end)
            return bad(err, cap, "bad MONITOR");
        mt_lock(&N.lk);
        if (body[0] == FR_MONITOR) rel_add(p, REL_MON_IN, local_pid(b), peer_pid(p, a), ref);
        else rel_del(p, REL_MON_IN, local_pid(b), peer_pid(p, a), ref);
        mt_unlock(&N.lk);
        if (body[0] == FR_MONITOR) proc_remote_monitor(peer_pid(p, a), local_pid(b), ref);
        else proc_remote_demonitor(peer_pid(p, a), local_pid(b), ref);
        return true;
    case FR_DOWN:
        if (!wread_varint(&r, &a) || !wread_varint(&r, &b) || !wread_varint(&r, &ref) || !serial_ok(a) ||
            !serial_ok(b))
            return bad(err, cap, "bad DOWN");
        if (!decode(&r, &v, err, cap)) return false;
        if (v.tag != T_VARIANT || AS_VARIANT(v)->type != &td_exit_reason) return bad(err, cap, "DOWN reason");
        mt_lock(&N.lk);
        rel_del(p, REL_MON_OUT, local_pid(b), peer_pid(p, a), ref);
        mt_unlock(&N.lk);
        proc_remote_down(peer_pid(p, a), local_pid(b), ref, v);
        return true;
    case FR_SPAWN: return on_spawn(p, &r, err, cap);
    case FR_SPAWN_REPLY: {
        uint8_t status;
        if (!wread_varint(&r, &a) || !wread_varint(&r, &b) || !serial_ok(b) || !wread_u8(&r, &status) || status > 1)
            return bad(err, cap, "bad SPAWN_REPLY");
        Value res;
        if (status == 0) {
            uint64_t child;
            if (!wread_varint(&r, &child) || !serial_ok(child) || r.p != r.end) return bad(err, cap, "bad SPAWN_REPLY");
            res = val_ok(v_pid(peer_pid(p, child)));
        } else {
            const char *m;
            size_t ml;
            if (!wread_name(&r, 1024, &m, &ml) || r.p != r.end) return bad(err, cap, "bad SPAWN_REPLY");
            res = val_err(str_new(m, ml));
        }
        bool expected = false;
        mt_lock(&N.lk);
        for (size_t i = 0; i < p->npend; i++)
            if (p->pend[i].req == a && p->pend[i].caller == local_pid(b)) {
                p->pend[i] = p->pend[--p->npend];
                expected = true;
                break;
            }
        mt_unlock(&N.lk);
        if (expected) proc_send_kind(local_pid(b), MB_DIST_REPLY, val_tuple2(v_int((int64_t)a), res));
        return true;
    }
    case FR_GLOBAL_REG: case FR_GLOBAL_SYNC: {
        uint64_t n = 1;
        if (body[0] == FR_GLOBAL_SYNC && (!wread_varint(&r, &n) || n > WIRE_MAX_COUNT))
            return bad(err, cap, "bad GLOBAL_SYNC");
        for (uint64_t i = 0; i < n; i++) {
            const char *nm, *ow = p->name;
            size_t nl, ol = strlen(p->name);
            if (!wread_name(&r, WIRE_MAX_NAME, &nm, &nl) || nl == 0 || memchr(nm, 0, nl))
                return bad(err, cap, "bad global name");
            if (body[0] == FR_GLOBAL_SYNC && (!wread_name(&r, WIRE_MAX_NAME, &ow, &ol) || memchr(ow, 0, ol)))
                return bad(err, cap, "bad global owner");
            /* the pid: one term, which must end where the next entry starts */
            uint8_t ver, tag;
            const uint8_t *start = r.p;
            if (!wread_u8(&r, &ver) || !wread_u8(&r, &tag) || tag != 14) return bad(err, cap, "global entry is not a pid");
            const char *pn;
            size_t pl;
            uint8_t cr;
            uint64_t serial;
            if (!wread_name(&r, WIRE_MAX_NAME, &pn, &pl) || !wread_u8(&r, &cr) || !wread_varint(&r, &serial))
                return bad(err, cap, "bad global pid");
            WRead t = {start, r.p};
            if (!decode(&t, &v, err, cap)) return false;
            char *name = xstrndup(nm, nl), *owner = xstrndup(ow, ol);
            mt_lock(&N.lk);
            if (!global_find(name)) global_add(name, v.u, owner);
            mt_unlock(&N.lk);
            free(name);
            free(owner);
        }
        if (r.p != r.end) return bad(err, cap, "bad GLOBAL_REG");
        return true;
    }
    case FR_GLOBAL_UNREG: {
        const char *nm;
        size_t nl;
        if (!wread_name(&r, WIRE_MAX_NAME, &nm, &nl) || r.p != r.end) return bad(err, cap, "bad GLOBAL_UNREG");
        char *name = xstrndup(nm, nl);
        mt_lock(&N.lk);
        Global *g = global_find(name);
        if (g) {
            free(g->name);
            free(g->owner);
            *g = N.globals[--N.nglobals];
        }
        mt_unlock(&N.lk);
        free(name);
        return true;
    }
    case FR_NAME: case FR_CHALLENGE: case FR_REPLY: case FR_ACK:
        return bad(err, cap, "handshake frame after the handshake");
    default: return true; /* unknown kinds are ignored (net.md §8.4) */
    }
}

static void reader_main(void *arg) {
    Sess *s = arg;
    char why[300];
    sess_run_reader(s, on_frame, why, sizeof why);
    session_lost(s, why);
    sess_release(s);
}

/* ---- start, accept, connect -------------------------------------------------------------------- */

static SessSelf self_info(void) { return (SessSelf){N.name, N.creation, N.cookie, N.cookie_len}; }

static void accept_conn(void *arg) {
    int fd = (int)(intptr_t)arg;
    SessSelf me = self_info();
    SessPeer pe;
    char err[300];
    Sess *s = sess_accept(&me, fd, admit, &pe, err, sizeof err);
    if (!s) {
        if (strncmp(err, "cookie mismatch", 15) == 0) {
            fflush(stdout);
            fprintf(stderr, "snow node: %s\n", err);
        }
        return;
    }
    if (!session_register(s, &pe)) {
        sess_release(s);
        return;
    }
    reader_main(s);
}

static void acceptor(void *arg) {
    (void)arg;
    for (;;) {
        int fd = fdio_accept(N.lfd, NULL, NULL, -1);
        if (fd == -EBADF || fd == -EINVAL) return;
        if (fd < 0) continue;
        sess_spawn_daemon("dist_accept", accept_conn, (void *)(intptr_t)fd);
    }
}

static bool bind_listener(const char *host, int port, char *err, size_t errcap) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *ai = NULL;
    char ps[16];
    snprintf(ps, sizeof ps, "%d", port);
    int rc = getaddrinfo(host, ps, &hints, &ai);
    if (rc != 0 || !ai) {
        snprintf(err, errcap, "cannot bind %s:%d: %s", host, port, gai_strerror(rc));
        return false;
    }
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 128) < 0) {
        snprintf(err, errcap, "cannot bind %s:%d: %s", host, port, strerror(errno));
        if (fd >= 0) close(fd);
        freeaddrinfo(ai);
        return false;
    }
    freeaddrinfo(ai);
    N.lfd = fd;
    return true;
}

/* Identity, listener and certificate; the acceptor process comes later. */
static bool node_prepare(const char *name, const char *cookie, char *err, size_t errcap) {
    char host[256];
    int port;
    if (!dist_parse_name(name, host, sizeof host, &port)) {
        snprintf(err, errcap, "invalid node name `%s` (expected name@host or name@host:port)", name);
        return false;
    }
    if (!*cookie) {
        snprintf(err, errcap, "the cookie is empty");
        return false;
    }
    if (!sess_tls_init(err, errcap)) return false;
    if (!bind_listener(host, port, err, errcap)) return false;
    N.name = xstrdup(name);
    N.cookie_len = strlen(cookie);
    N.cookie = xstrdup(cookie);
    unsigned char c = 0;
    while (c == 0) RAND_bytes(&c, 1); /* creation 1..255, random per incarnation */
    N.creation = c;
    return true;
}

static void node_go(void) {
    N.started = true;
    proc_set_remote(&remote_ops);
    sess_spawn_daemon("dist_acceptor", acceptor, NULL);
}

static void main_start_hook(void) { node_go(); }

bool dist_configure(const char *name, const char *cookie, char *err, size_t errcap) {
    if (!node_prepare(name, cookie, err, errcap)) return false;
    N.configured = true;
    proc_main_start_hook = main_start_hook;
    return true;
}

bool dist_start(const char *name, const char *cookie, char *err, size_t errcap) {
    if (N.started || N.configured) {
        snprintf(err, errcap, "the node is already started as %s", N.name);
        return false;
    }
    if (!node_prepare(name, cookie, err, errcap)) return false;
    node_go();
    return true;
}

/* Connect to `target` from the calling process (blocking it). */
static bool do_connect(const char *target, bool quiet, char *err, size_t errcap) {
    char host[256];
    int port;
    if (!dist_parse_name(target, host, sizeof host, &port)) {
        snprintf(err, errcap, "invalid connect target: %s", target);
        if (!quiet) {
            fflush(stdout);
            fprintf(stderr, "snow node: invalid connect target: %s\n", target);
        }
        return false;
    }
    if (strcmp(target, N.name) == 0) return true;
    mt_lock(&N.lk);
    bool up = peer_by_name_up(target) != NULL;
    mt_unlock(&N.lk);
    if (up) return true;
    SessSelf me = self_info();
    SessPeer pe;
    bool tcp_failed;
    Sess *s = sess_connect(&me, host, port, &pe, &tcp_failed, err, errcap);
    if (!s) {
        if (!quiet) {
            fflush(stdout);
            fprintf(stderr, "snow node: %s\n", err);
        }
        return false;
    }
    if (strcmp(pe.name, N.name) == 0) {
        sess_close(s);
        sess_release(s);
        return true; /* ourselves, under another address */
    }
    if (!session_register(s, &pe)) {
        sess_release(s);
        mt_lock(&N.lk);
        up = peer_by_name_up(pe.name) != NULL;
        mt_unlock(&N.lk);
        if (!up) snprintf(err, errcap, "the connection to %s was rejected", pe.name);
        return up;
    }
    sess_spawn_daemon("dist_reader", reader_main, s);
    return true;
}

bool dist_connect(const char *target, char *err, size_t errcap) {
    if (!N.started) {
        snprintf(err, errcap, "the node is not started (call Node.start first)");
        return false;
    }
    /* a pending connect keeps the program alive like any other I/O wait */
    return do_connect(target, false, err, errcap);
}

typedef struct Names {
    char **v;
    size_t n;
} Names;

static void connector(void *arg) {
    Names *ns = arg;
    for (size_t i = 0; i < ns->n; i++) {
        char err[300];
        mt_lock(&N.lk);
        bool up = peer_by_name_up(ns->v[i]) != NULL;
        mt_unlock(&N.lk);
        if (!up && strcmp(ns->v[i], N.name) != 0) do_connect(ns->v[i], true, err, sizeof err);
        free(ns->v[i]);
    }
    free(ns->v);
    free(ns);
}

static void connect_in_background(char **names, size_t n) {
    if (!n) {
        free(names);
        return;
    }
    Names *ns = xmalloc(sizeof *ns);
    ns->v = names;
    ns->n = n;
    sess_spawn_daemon("dist_connect", connector, ns);
}

size_t dist_list(char ***out) {
    mt_lock(&N.lk);
    size_t n = 0;
    char **v = xmalloc((N.npeers + 1) * sizeof *v);
    for (uint32_t i = 1; i <= N.npeers; i++)
        if (peers[i]->sess) v[n++] = xstrdup(peers[i]->name);
    mt_unlock(&N.lk);
    *out = v;
    return n;
}

/* ---- remote spawn and named send ------------------------------------------------------------- */

void dist_fn_register(const char *name, Value fn) {
    GROW(N.fns, N.nfns, N.capfns);
    N.fns[N.nfns++] = (FnReg){name, fn};
}

typedef struct ReplyMatch {
    uint64_t req;
} ReplyMatch;

static bool is_reply(const MboxEntry *e, void *ud) {
    if (mbox_kind(e) != MB_DIST_REPLY) return false;
    Value v = mbox_value(e);
    return v.tag == T_TUPLE && AS_TUPLE(v)->items[0].i == (int64_t)((ReplyMatch *)ud)->req;
}

bool dist_spawn(const char *node, Value fn, int argc, const Value *argv, bool link, uint64_t *pid, char *err,
                size_t errcap) {
    const FuncInfo *fi = fn.tag == T_FUNC ? AS_FUNC(fn)->fn : NULL;
    if (!fi || !fi->name || AS_FUNC(fn)->ncap) {
        snprintf(err, errcap, "only a top-level function or actor can be spawned on another node");
        return false;
    }
    if (!N.started) {
        snprintf(err, errcap, "the node is not started (call Node.start first)");
        return false;
    }
    if (strcmp(node, N.name) == 0) { /* our own node: an ordinary spawn */
        SpawnOpts o = {.name = fi->name, .terminate = v_unit(), .link = link};
        *pid = proc_spawn(fn, argc, argv, &o);
        return true;
    }
    uint64_t self = proc_self_pid();
    uint64_t req = atomic_fetch_add(&N.next_req, 1) + 1;
    WBuf *b = frame_begin(FR_SPAWN);
    wbuf_varint(b, req);
    wbuf_varint(b, pid_serial(self));
    wbuf_u8(b, link);
    wbuf_name(b, fi->name, strlen(fi->name));
    frame_value(b, list_from_array(argv, (size_t)argc));
    mt_lock(&N.lk);
    Peer *p = peer_by_name_up(node);
    if (p) {
        GROW(p->pend, p->npend, p->cappend);
        p->pend[p->npend++] = (Pending){req, self};
        sess_send(p->sess, self, scratch.p, scratch.len);
    }
    mt_unlock(&N.lk);
    frame_done();
    if (!p) {
        snprintf(err, errcap, "node %s is not connected", node);
        return false;
    }
    ReplyMatch m = {req};
    poll_pending_add(1); /* waiting for the network keeps the program alive */
    MboxEntry *e = sysmsg_wait(is_reply, &m, -1);
    poll_pending_add(-1);
    if (!e) {
        snprintf(err, errcap, "no reply from %s", node);
        return false;
    }
    Value v = sysmsg_take(e);
    Value res = AS_TUPLE(v)->items[1];
    if (res.aux == RES_ERR) {
        Value msg = val_payload(res, 0);
        snprintf(err, errcap, "%.*s", (int)str_len(msg), str_data(msg));
        return false;
    }
    *pid = val_payload(res, 0).u;
    if (link) { /* the child's side was linked on its node before it ran */
        mt_lock(&N.lk);
        Peer *q = pid_node(*pid) <= N.npeers ? peers[pid_node(*pid)] : NULL;
        if (q) rel_add(q, REL_LINK, self, *pid, 0);
        mt_unlock(&N.lk);
        proc_remote_link(*pid, self);
    }
    return true;
}

void dist_send_named(const char *name, size_t nlen, const char *node, size_t nodelen, Value msg) {
    if (!N.started ? (nodelen == 13 && memcmp(node, "nonode@nohost", 13) == 0)
                   : (strlen(N.name) == nodelen && memcmp(N.name, node, nodelen) == 0)) {
        uint64_t pid;
        if (reg_whereis(name, nlen, &pid)) proc_send(pid, msg);
        return;
    }
    WBuf *b = frame_begin(FR_REG_SEND);
    wbuf_name(b, name, nlen);
    frame_value(b, msg);
    char *nd = xstrndup(node, nodelen);
    mt_lock(&N.lk);
    Peer *p = N.started ? peer_by_name_up(nd) : NULL;
    if (p) sess_send(p->sess, proc_self_pid(), scratch.p, scratch.len);
    mt_unlock(&N.lk);
    free(nd);
    frame_done();
}
