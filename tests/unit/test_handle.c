/* test_handle.c — resources owned by processes (decision 30, handle.h):
 * 10 000 crashing processes that each opened fds give them all back (the
 * process's fd count returns to where it started) under the deterministic
 * scheduler and with 2 worker threads, whatever the exit (panic, normal
 * return, kill, linked exit while parked in the poller, an explicit close
 * first); each resource is closed exactly once; pins delay a close; a copy
 * of a handle in another process sees it closed; ownership can be given
 * away; processes discarded at quiescence close theirs; closing an fd wakes
 * the processes waiting on it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <unistd.h>

#include "fdio.h"
#include "handle.h"
#include "poll.h"
#include "proc_testlib.h"
#include "sysmsg.h"

static _Atomic long closes, opens;

static void fd_close(void *data) {
    fdio_close((int)(intptr_t)data);
    atomic_fetch_add(&closes, 1);
}
static const HandleClass fd_class = {"Fd", NULL, fd_close};

static Value open_fd(int fd) {
    atomic_fetch_add(&opens, 1);
    return handle_open(&fd_class, (void *)(intptr_t)fd);
}

static int fd_count(void) {
    DIR *d = opendir("/proc/self/fd");
    if (!d) return -1;
    int n = 0;
    while (readdir(d)) n++;
    closedir(d);
    return n;
}

static int run_with(Value main_fn, int threads) {
    rt_apply_hook = t_apply;
    RtConfig cfg = {.threads = threads, .virtual_time = threads == 0};
    if (!rt_init(&cfg)) return -1;
    int st = rt_run_main(main_fn);
    rt_shutdown();
    return st;
}

/* Run with stderr silenced (thousands of panic reports). */
static int run_quiet(Value main_fn, int threads) {
    fflush(stderr);
    int saved = dup(2), null = open("/dev/null", O_WRONLY);
    dup2(null, 2);
    close(null);
    int st = run_with(main_fn, threads);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    return st;
}

/* ---- 10 000 crashing owners ------------------------------------------------------------ */

DEFPROC(bomb, 0) { rt_panic("bomb"); }

DEFPROC(owner, 1) {
    int mode = (int)args[0].i;
    int p[2];
    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) rt_panic("pipe: out of fds");
    Value r = open_fd(p[0]);
    open_fd(p[1]);
    int f = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (f >= 0) open_fd(f);
    switch (mode) {
    case 0: rt_panic("crash");
    case 1: return v_unit(); /* normal exit, nothing closed by hand */
    case 2:
        handle_close(r); /* closed now, not again at exit */
        rt_panic("crash after a close");
    case 3: { /* parked in the poller when a linked process crashes */
        SpawnOpts o = {.link = true};
        proc_spawn(FN(bomb), 0, NULL, &o);
        char c;
        fdio_read(p[0], &c, 1, -1);
        rt_panic("not reached: the read never completes");
    }
    default:
        proc_exit_pid(proc_self_pid(), proc_reason(XR_KILLED));
        return v_unit();
    }
}

DEFPROC(main_owners, 0) {
    for (int batch = 0; batch < 100; batch++) { /* 100 at a time: bounded fds */
        for (int i = 0; i < 100; i++) {
            Value m = v_int((batch * 100 + i) % 5);
            uint64_t pid = proc_spawn(FN(owner), 1, &m, NULL);
            proc_monitor(pid);
        }
        for (int i = 0; i < 100; i++) recv_signal();
    }
    return v_unit();
}

static void check_owners(int threads) {
    atomic_store(&closes, 0);
    atomic_store(&opens, 0);
    int before = fd_count();
    CHECK_EQ_INT(run_quiet(FN(main_owners), threads), 0);
    CHECK_EQ_INT(fd_count(), before);
    CHECK_EQ_INT(atomic_load(&opens), 30000);
    CHECK_EQ_INT(atomic_load(&closes), 30000); /* each exactly once */
    CHECK_EQ_INT(handle_open_count(), 0);
}

TEST(crashing_owners_give_back_fds_det) { check_owners(0); }
TEST(crashing_owners_give_back_fds_threads) { check_owners(2); }

/* ---- the handle API itself ------------------------------------------------------------------ */

TEST(pin_close_exactly_once) {
    atomic_store(&closes, 0);
    RtConfig cfg = {0};
    rt_init(&cfg);
    Heap *heap = heap_new(); /* outside processes: a heap for the wrappers */
    heap_set_current(heap);
    int p[2];
    CHECK(pipe2(p, O_CLOEXEC) == 0);
    Value a = open_fd(p[0]); /* outside processes: owned by nobody */
    Value b = open_fd(p[1]);
    CHECK(handle_is_owned(a));
    CHECK(handle_pin(a) == (void *)(intptr_t)p[0]);
    CHECK(handle_close(a));                  /* requested while pinned ... */
    CHECK_EQ_INT(atomic_load(&closes), 0);   /* ... so not yet */
    CHECK(handle_pin(a) == NULL);            /* no new pins */
    CHECK(!handle_close(a));
    handle_unpin(a);                         /* the last pin finishes it */
    CHECK_EQ_INT(atomic_load(&closes), 1);
    CHECK(!handle_close(a));
    CHECK_EQ_INT(handle_open_count(), 1);
    rt_shutdown();                           /* closes b, owned by nobody */
    CHECK_EQ_INT(atomic_load(&closes), 2);
    CHECK(handle_pin(b) == NULL);
    CHECK_EQ_INT(handle_open_count(), 0);
    static const HandleClass plain = {"Plain", NULL, NULL};
    int x;
    Value h = handle_new(&plain, &x);
    CHECK(!handle_is_owned(h));
    CHECK(handle_pin(h) == &x);
    CHECK(!handle_close(h));
    heap_set_current(NULL);
    heap_free(heap);
}

/* A copy sent to another process sees the close of its owner's exit. */
static _Atomic int seen_open, seen_closed;
DEFPROC(keeper, 0) {
    Value from = recv_any();
    Value h = recv_any();
    if (handle_pin(h)) {
        atomic_store(&seen_open, 1);
        handle_unpin(h);
    }
    proc_send(from.u, v_int(1)); /* the opener may go */
    recv_any(); /* "the owner is gone" */
    if (!handle_pin(h)) atomic_store(&seen_closed, 1);
    return v_unit();
}
DEFPROC(opener, 1) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return v_unit();
    Value h = open_fd(p[0]);
    open_fd(p[1]);
    proc_send(args[0].u, v_pid(proc_self_pid()));
    proc_send(args[0].u, h);
    recv_any();
    return v_unit();
}
DEFPROC(main_copy, 0) {
    Value k = v_pid(proc_spawn(FN(keeper), 0, NULL, NULL));
    uint64_t o = proc_spawn(FN(opener), 1, &k, NULL);
    proc_monitor(o);
    recv_signal();
    proc_send(k.u, v_int(0));
    return v_unit();
}
TEST(copy_sees_owner_exit) {
    for (int threads = 0; threads <= 2; threads += 2) {
        atomic_store(&seen_open, 0);
        atomic_store(&seen_closed, 0);
        atomic_store(&closes, 0);
        CHECK_EQ_INT(run_with(FN(main_copy), threads), 0);
        CHECK_EQ_INT(atomic_load(&seen_open), 1);
        CHECK_EQ_INT(atomic_load(&seen_closed), 1);
        CHECK_EQ_INT(atomic_load(&closes), 2);
    }
}

/* Ownership given away survives the giver; given to the dead, it closes. */
static _Atomic long closes_when_giver_gone, owner_ok, giver_ok;
DEFPROC(handler, 0) {
    Value h = recv_any();
    recv_any(); /* the giver has exited */
    atomic_store(&closes_when_giver_gone, atomic_load(&closes));
    uint64_t pid;
    if (handle_owner(h, &pid) && pid == proc_self_pid()) atomic_store(&owner_ok, 1);
    return v_unit(); /* closes it */
}
DEFPROC(giver, 1) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return v_unit();
    Value h = open_fd(p[0]);
    Value dead = open_fd(p[1]);
    bool ok = handle_give(h, args[0].u);
    proc_send(args[0].u, h);
    ok = ok && handle_give(dead, pid_make(0, 0, 999999)); /* nobody: closed at once */
    ok = ok && handle_pin(dead) == NULL;
    atomic_store(&giver_ok, ok);
    return v_unit();
}
DEFPROC(main_give, 0) {
    Value hd = v_pid(proc_spawn(FN(handler), 0, NULL, NULL));
    uint64_t g = proc_spawn(FN(giver), 1, &hd, NULL);
    proc_monitor(g);
    recv_signal();
    proc_send(hd.u, v_int(0));
    return v_unit();
}
TEST(give_ownership) {
    for (int threads = 0; threads <= 2; threads += 2) {
        atomic_store(&closes, 0);
        atomic_store(&owner_ok, 0);
        atomic_store(&giver_ok, 0);
        CHECK_EQ_INT(run_with(FN(main_give), threads), 0);
        CHECK_EQ_INT(atomic_load(&giver_ok), 1);
        CHECK_EQ_INT(atomic_load(&closes_when_giver_gone), 1); /* only the one given to nobody */
        CHECK_EQ_INT(atomic_load(&owner_ok), 1);
        CHECK_EQ_INT(atomic_load(&closes), 2);
    }
}

/* Discarded at quiescence (blocked forever in a receive): closed too. */
DEFPROC(idle_owner, 0) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return v_unit();
    open_fd(p[0]);
    open_fd(p[1]);
    recv_any(); /* never comes */
    return v_unit();
}
DEFPROC(main_idle, 0) {
    for (int i = 0; i < 10; i++) proc_spawn(FN(idle_owner), 0, NULL, NULL);
    return v_unit();
}
TEST(discarded_owners_close) {
    for (int threads = 0; threads <= 2; threads += 2) {
        atomic_store(&closes, 0);
        int before = fd_count();
        CHECK_EQ_INT(run_with(FN(main_idle), threads), 0);
        CHECK_EQ_INT(atomic_load(&closes), 20);
        CHECK_EQ_INT(fd_count(), before);
    }
}

/* Closing an fd (its owner exits) wakes a process parked on it. */
static _Atomic long read_result;
DEFPROC(parked_reader, 1) {
    char c;
    atomic_store(&read_result, fdio_read((int)args[0].i, &c, 1, -1));
    return v_unit();
}
DEFPROC(fd_owner, 0) {
    int p[2];
    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) return v_unit();
    open_fd(p[0]);
    open_fd(p[1]);
    Value fd = v_int(p[0]);
    proc_spawn(FN(parked_reader), 1, &fd, NULL);
    timer_bi_sleep((Value[]){v_int(20)}, 1); /* the reader parks */
    return v_unit();                          /* and our exit closes its fd */
}
TEST(close_wakes_waiters) {
    for (int threads = 0; threads <= 2; threads += 2) {
        atomic_store(&read_result, 0);
        CHECK_EQ_INT(run_with(FN(fd_owner), threads), 0);
        CHECK_EQ_INT(atomic_load(&read_result), -EBADF);
    }
}

int main(void) {
    (void)t_run;
    (void)say;
    RUN(pin_close_exactly_once);
    RUN(crashing_owners_give_back_fds_det);
    RUN(crashing_owners_give_back_fds_threads);
    RUN(copy_sees_owner_exit);
    RUN(give_ownership);
    RUN(discarded_owners_close);
    RUN(close_wakes_waiters);
    return harness_report();
}
