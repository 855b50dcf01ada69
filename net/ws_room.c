/* ws_room.c — the room registry (ws_room.h): a chained hash table of
 * rooms, each an array of members indexed both ways. */
#include "ws_room.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mt.h"
#include "ws_event.h"
#include "xalloc.h"

typedef struct Member {
    WsConn *c;
    uint32_t back; /* the room's slot in c->rooms */
} Member;

struct WsRoom {
    WsRoom *next; /* bucket chain */
    uint64_t hash;
    char *name;
    size_t nlen;
    Member *m;
    uint32_t n, cap;
};

static MtLock lock = MT_LOCK_INIT;
static WsRoom **buckets;
static size_t nbuckets, nrooms;

static uint64_t hash_of(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
    return h;
}

static WsRoom **slot_of(const char *s, size_t n, uint64_t h) {
    if (!nbuckets) return NULL;
    WsRoom **p = &buckets[h & (nbuckets - 1)];
    while (*p && !((*p)->hash == h && (*p)->nlen == n && memcmp((*p)->name, s, n) == 0)) p = &(*p)->next;
    return p;
}

static void grow(void) {
    size_t nb = nbuckets ? nbuckets * 2 : 64;
    WsRoom **b = xcalloc(nb, sizeof *b);
    for (size_t i = 0; i < nbuckets; i++)
        for (WsRoom *r = buckets[i], *nx; r; r = nx) {
            nx = r->next;
            r->next = b[r->hash & (nb - 1)];
            b[r->hash & (nb - 1)] = r;
        }
    free(buckets);
    buckets = b;
    nbuckets = nb;
}

/* Under the lock: take member slot `pos` out of r (the last member moves
 * into it); free r if it is empty. */
static void remove_member(WsRoom *r, uint32_t pos) {
    r->m[pos] = r->m[--r->n];
    if (pos < r->n) r->m[pos].c->rooms[r->m[pos].back].pos = pos;
    if (r->n) return;
    WsRoom **p = slot_of(r->name, r->nlen, r->hash);
    *p = r->next;
    nrooms--;
    free(r->m);
    free(r->name);
    free(r);
}

/* Under the lock: c leaves the room in its slot j. */
static void leave_slot(WsConn *c, uint32_t j) {
    WsJoined jn = c->rooms[j];
    c->rooms[j] = c->rooms[--c->nrooms];
    if (j < c->nrooms) c->rooms[j].room->m[c->rooms[j].pos].back = j;
    remove_member(jn.room, jn.pos);
}

void ws_room_join(WsConn *c, const char *name, size_t n) {
    uint64_t h = hash_of(name, n);
    mt_lock(&lock);
    for (uint32_t j = 0; j < c->nrooms; j++)
        if (c->rooms[j].room->hash == h && c->rooms[j].room->nlen == n && memcmp(c->rooms[j].room->name, name, n) == 0) {
            mt_unlock(&lock);
            return; /* already a member */
        }
    if (nrooms + 1 > nbuckets) grow();
    WsRoom **p = slot_of(name, n, h);
    WsRoom *r = *p;
    if (!r) {
        r = xcalloc(1, sizeof *r);
        r->hash = h;
        r->name = xmalloc(n + 1);
        memcpy(r->name, name, n);
        r->name[n] = 0;
        r->nlen = n;
        *p = r;
        nrooms++;
    }
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 4;
        r->m = xrealloc(r->m, r->cap * sizeof *r->m);
    }
    if (c->nrooms == c->rooms_cap) {
        c->rooms_cap = c->rooms_cap ? c->rooms_cap * 2 : 2;
        c->rooms = xrealloc(c->rooms, c->rooms_cap * sizeof *c->rooms);
    }
    r->m[r->n] = (Member){c, c->nrooms};
    c->rooms[c->nrooms++] = (WsJoined){r, r->n};
    r->n++;
    mt_unlock(&lock);
    ws_event_room(c, name, n, true);
}

void ws_room_leave(WsConn *c, const char *name, size_t n) {
    uint64_t h = hash_of(name, n);
    bool left = false;
    mt_lock(&lock);
    for (uint32_t j = 0; j < c->nrooms; j++) {
        WsRoom *r = c->rooms[j].room;
        if (r->hash == h && r->nlen == n && memcmp(r->name, name, n) == 0) {
            leave_slot(c, j);
            left = true;
            break;
        }
    }
    mt_unlock(&lock);
    if (left) ws_event_room(c, name, n, false);
}

void ws_rooms_leave_all(WsConn *c) {
    mt_lock(&lock);
    while (c->nrooms) leave_slot(c, c->nrooms - 1);
    mt_unlock(&lock);
}

size_t ws_room_members(const char *name, size_t n, const WsConn *except, WsConn ***out) {
    *out = NULL;
    uint64_t h = hash_of(name, n);
    mt_lock(&lock);
    WsRoom **p = slot_of(name, n, h);
    WsRoom *r = p ? *p : NULL;
    size_t k = 0;
    if (r && r->n) {
        WsConn **v = xmalloc(r->n * sizeof *v);
        for (uint32_t i = 0; i < r->n; i++) {
            if (r->m[i].c == except) continue;
            ws_conn_ref(r->m[i].c);
            v[k++] = r->m[i].c;
        }
        *out = v;
    }
    mt_unlock(&lock);
    return k;
}

size_t ws_room_names(WsConn *c, char *buf, size_t cap) {
    size_t at = 0;
    if (cap) buf[0] = 0;
    mt_lock(&lock);
    uint32_t n = c->nrooms;
    for (uint32_t j = 0; j < n && at + 1 < cap; j++) {
        int w = snprintf(buf + at, cap - at, "%s%s", j ? ", " : "", c->rooms[j].room->name);
        if (w < 0) break;
        at += (size_t)w;
        if (at >= cap) at = cap - 1;
    }
    mt_unlock(&lock);
    return n;
}
