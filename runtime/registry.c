/* registry.c — name registry: a chained hash table keyed by name bytes.
 *
 * Threads: one lock (mt.h) guards the table; Proc.reg is written under it.
 * An exiting process leaves the process table, then (fence) reads its
 * Proc.reg and takes the lock only if it has a name; a registration stores
 * Proc.reg, then (fence) looks the process up again and undoes itself if
 * the process has left meanwhile.  So one of the two always sees the other
 * and a name is never left behind for a dead process, while the exit of an
 * unnamed process (nearly all) touches no shared lock. */
#include "registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "mt.h"
#include "proc.h"
#include "proc_private.h"
#include "rt.h"
#include "xalloc.h"

static struct {
    MtLock lock;
    RegEntry **b; /* buckets */
    size_t nb, n;
} R;

static uint64_t hash_name(const char *s, size_t len) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static RegEntry **slot(const char *name, size_t len, uint64_t h) {
    if (!R.nb) return NULL;
    RegEntry **pp = &R.b[h & (R.nb - 1)];
    while (*pp && !((*pp)->hash == h && (*pp)->len == len && memcmp((*pp)->name, name, len) == 0))
        pp = &(*pp)->next;
    return pp;
}

static void grow(void) {
    size_t nb = R.nb ? R.nb * 2 : 64;
    RegEntry **b = xcalloc(nb, sizeof *b);
    for (size_t i = 0; i < R.nb; i++)
        for (RegEntry *e = R.b[i], *n; e; e = n) {
            n = e->next;
            e->next = b[e->hash & (nb - 1)];
            b[e->hash & (nb - 1)] = e;
        }
    free(R.b);
    R.b = b;
    R.nb = nb;
}

static void unlink_entry(RegEntry **pp);

static int do_register(const char *name, size_t len, uint64_t pid) {
    Proc *p = proc_find(pid);
    if (!p) return REG_NOPROC;
    uint64_t h = hash_name(name, len);
    RegEntry **pp = slot(name, len, h);
    if (pp && *pp) return REG_TAKEN;
    if (atomic_load_explicit(&p->reg, memory_order_relaxed)) return REG_HASNAME;
    if (R.n + 1 > R.nb) { grow(); pp = slot(name, len, h); }
    RegEntry *e = xmalloc(sizeof *e + len + 1);
    e->next = NULL;
    e->pid = pid;
    e->hash = h;
    e->len = len;
    memcpy(e->name, name, len);
    e->name[len] = 0;
    *pp = e;
    R.n++;
    atomic_store_explicit(&p->reg, e, memory_order_relaxed);
    if (EV_ON()) ev_full(EV_REGISTER, pid, EV_NOPID, 0, 0, e->name, NULL);
    if (rt_mt) {
        atomic_thread_fence(memory_order_seq_cst);
        if (!proc_find(pid)) { /* it exited meanwhile, without seeing the name */
            atomic_store_explicit(&p->reg, NULL, memory_order_relaxed);
            unlink_entry(pp);
        }
    }
    return REG_OK;
}

int reg_register(const char *name, size_t len, uint64_t pid) {
    mt_lock(&R.lock);
    int r = do_register(name, len, pid);
    mt_unlock(&R.lock);
    return r;
}

static void unlink_entry(RegEntry **pp) {
    RegEntry *e = *pp;
    *pp = e->next;
    R.n--;
    if (EV_ON()) ev_full(EV_UNREGISTER, e->pid, EV_NOPID, 0, 0, e->name, NULL);
    Proc *p = proc_find(e->pid);
    if (p && atomic_load_explicit(&p->reg, memory_order_relaxed) == e)
        atomic_store_explicit(&p->reg, NULL, memory_order_relaxed);
    free(e);
}

int reg_unregister(const char *name, size_t len) {
    mt_lock(&R.lock);
    RegEntry **pp = slot(name, len, hash_name(name, len));
    bool found = pp && *pp;
    if (found) unlink_entry(pp);
    mt_unlock(&R.lock);
    return found ? REG_OK : REG_UNKNOWN;
}

bool reg_whereis(const char *name, size_t len, uint64_t *pid) {
    mt_lock(&R.lock);
    RegEntry **pp = slot(name, len, hash_name(name, len));
    bool found = pp && *pp;
    if (found) *pid = (*pp)->pid;
    mt_unlock(&R.lock);
    return found;
}

void reg_remove_proc(Proc *p) {
    if (rt_mt) atomic_thread_fence(memory_order_seq_cst); /* after leaving the table */
    if (!atomic_load_explicit(&p->reg, memory_order_relaxed)) return;
    mt_lock(&R.lock);
    RegEntry *e = atomic_load_explicit(&p->reg, memory_order_relaxed);
    if (e) {
        atomic_store_explicit(&p->reg, NULL, memory_order_relaxed);
        RegEntry **pp = slot(e->name, e->len, e->hash);
        if (pp && *pp == e) unlink_entry(pp);
    }
    mt_unlock(&R.lock);
}

void reg_error_text(int code, const char *name, size_t len, char *buf, size_t cap) {
    int n = len > 200 ? 200 : (int)len;
    switch (code) {
    case REG_TAKEN: snprintf(buf, cap, "name \"%.*s\" is already registered", n, name); break;
    case REG_NOPROC: snprintf(buf, cap, "cannot register \"%.*s\": process is not alive", n, name); break;
    case REG_HASNAME: snprintf(buf, cap, "cannot register \"%.*s\": process already has a registered name", n, name); break;
    case REG_UNKNOWN: snprintf(buf, cap, "name \"%.*s\" is not registered", n, name); break;
    default: snprintf(buf, cap, "ok"); break;
    }
}

size_t reg_count(void) {
    mt_lock(&R.lock);
    size_t n = R.n;
    mt_unlock(&R.lock);
    return n;
}

void reg_reset(void) {
    for (size_t i = 0; i < R.nb; i++)
        for (RegEntry *e = R.b[i], *n; e; e = n) { n = e->next; free(e); }
    free(R.b);
    R.b = NULL;
    R.nb = R.n = 0;
}
