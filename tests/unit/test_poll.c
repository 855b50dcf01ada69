/* test_poll.c — the I/O poller (poll.h), journaled fd operations (fdio.h),
 * replay (iolog.h) and the blocking pool (sched_run_blocking):
 *  - pipe ping-pong through fdio_read/fdio_write on both schedulers;
 *  - deadlines, several waiters on one fd, edge-triggered readiness kept
 *    until EAGAIN, poll_del waking waiters;
 *  - the deterministic scheduler polls while a process computes (a busy
 *    program does not starve its fds);
 *  - writing to a socket whose peer went away is -EPIPE, not a SIGPIPE;
 *  - a run that read a pipe fed by another OS thread, with whatever
 *    chunking the timing gave, replays to the same output and the same
 *    event stream without the pipe — from the in-memory journal and from
 *    an events file;
 *  - sched_run_blocking: inline under the deterministic scheduler; under
 *    --threads a job blocked in read(2) does not stop the other processes
 *    (with one worker it would hang); an exit signal waits for the job. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <stdatomic.h>
#include <unistd.h>

#include "bpool.h"
#include "fdio.h"
#include "iolog.h"
#include "poll.h"
#include "proc_testlib.h"
#include "sysmsg.h"

static int run_with(Value main_fn, int threads) {
    rt_apply_hook = t_apply;
    t_outlen = 0;
    t_out[0] = 0;
    RtConfig cfg = {.threads = threads, .virtual_time = threads == 0};
    if (!rt_init(&cfg)) return -1;
    if (t_record) ev_set_callback(t_ev_cb, NULL);
    int st = rt_run_main(main_fn);
    rt_shutdown();
    return st;
}

static _Atomic long a_count, b_count;

/* ---- ping-pong over pipes ------------------------------------------------------------------- */

#define PAIRS 50
#define ROUNDS 40

DEFPROC(ponger, 2) { /* read a byte on args[0], answer on args[1] */
    for (int i = 0; i < ROUNDS; i++) {
        char c;
        if (fdio_read((int)args[0].i, &c, 1, -1) != 1) return v_unit();
        if (fdio_write((int)args[1].i, &c, 1, -1) != 1) return v_unit();
    }
    atomic_fetch_add(&b_count, 1);
    return v_unit();
}
DEFPROC(pinger, 2) {
    for (int i = 0; i < ROUNDS; i++) {
        char c = (char)i, d = 0;
        if (fdio_write((int)args[1].i, &c, 1, -1) != 1) return v_unit();
        if (fdio_read((int)args[0].i, &d, 1, -1) != 1 || d != c) return v_unit();
    }
    atomic_fetch_add(&a_count, 1);
    return v_unit();
}
static int pp_fds[PAIRS][4];
DEFPROC(main_pingpong, 0) {
    for (int i = 0; i < PAIRS; i++) {
        int ab[2], ba[2];
        if (pipe2(ab, O_NONBLOCK | O_CLOEXEC) || pipe2(ba, O_NONBLOCK | O_CLOEXEC)) return v_unit();
        pp_fds[i][0] = ab[0], pp_fds[i][1] = ab[1], pp_fds[i][2] = ba[0], pp_fds[i][3] = ba[1];
        Value pa[2] = {v_int(ba[0]), v_int(ab[1])}, pb[2] = {v_int(ab[0]), v_int(ba[1])};
        proc_spawn(FN(pinger), 2, pa, NULL);
        proc_spawn(FN(ponger), 2, pb, NULL);
    }
    return v_unit();
}
static void close_pp(void) {
    for (int i = 0; i < PAIRS; i++)
        for (int k = 0; k < 4; k++) close(pp_fds[i][k]);
}
TEST(pipe_pingpong) {
    for (int threads = 0; threads <= 2; threads++) {
        atomic_store(&a_count, 0);
        atomic_store(&b_count, 0);
        CHECK_EQ_INT(run_with(FN(main_pingpong), threads), 0);
        CHECK_EQ_INT(atomic_load(&a_count), PAIRS);
        CHECK_EQ_INT(atomic_load(&b_count), PAIRS);
        close_pp(); /* after rt_shutdown: the poller has forgotten them */
    }
}

/* ---- waits ------------------------------------------------------------------------------------ */

static _Atomic long r1, r2, r3, r4;
DEFPROC(waiter, 1) {
    int r = poll_wait((int)args[0].i, POLLIN, -1);
    if (r & POLLIN) atomic_fetch_add(&a_count, 1);
    return v_unit();
}
DEFPROC(main_waits, 0) {
    int p[2];
    if (pipe2(p, O_NONBLOCK | O_CLOEXEC)) return v_unit();
    poll_add(p[0]);
    /* a deadline: 0 */
    atomic_store(&r1, poll_wait(p[0], POLLIN, sched_now() + 30));
    /* two waiters on one fd, both woken, in the order they came */
    Value fd = v_int(p[0]);
    proc_spawn(FN(waiter), 1, &fd, NULL);
    proc_spawn(FN(waiter), 1, &fd, NULL);
    timer_bi_sleep((Value[]){v_int(20)}, 1);
    ssize_t w = write(p[1], "ab", 2);
    (void)w;
    timer_bi_sleep((Value[]){v_int(20)}, 1);
    /* readiness stays until an operation sees EAGAIN */
    char c;
    CHECK(fdio_read(p[0], &c, 1, -1) == 1);
    atomic_store(&r2, poll_wait(p[0], POLLIN, sched_now() + 30)); /* still ready: one byte left */
    CHECK(fdio_read(p[0], &c, 1, -1) == 1);
    atomic_store(&r3, fdio_read(p[0], &c, 1, sched_now() + 30)); /* empty: EAGAIN, wait, deadline */
    /* unregistering wakes a waiter with POLLNVAL */
    proc_spawn(FN(waiter), 1, &fd, NULL);
    timer_bi_sleep((Value[]){v_int(10)}, 1);
    poll_del(p[0]);
    atomic_store(&r4, poll_wait(p[0], POLLIN, -1)); /* not registered */
    close(p[0]);
    close(p[1]);
    return v_unit();
}
TEST(waits) {
    for (int threads = 0; threads <= 2; threads += 2) {
        atomic_store(&a_count, 0);
        CHECK_EQ_INT(run_with(FN(main_waits), threads), 0);
        CHECK_EQ_INT(atomic_load(&r1), 0);
        CHECK_EQ_INT(atomic_load(&a_count), 2);
        CHECK(atomic_load(&r2) & POLLIN);
        CHECK_EQ_INT(atomic_load(&r3), -ETIMEDOUT);
        CHECK_EQ_INT(atomic_load(&r4), POLLNVAL);
    }
}

/* ---- a busy program still hears its fds ------------------------------------------------------ */

static _Atomic long spins_done, spins_when_read;
static int busy_pipe[2];
DEFPROC(spinner, 0) {
    for (int i = 0; i < 1000; i++) {
        burn(PROC_REDUCTIONS + 1); /* one slice each */
        usleep(500);               /* >= 0.5 s of real time in all */
        atomic_store(&spins_done, i + 1);
    }
    return v_unit();
}
DEFPROC(net_reader, 0) {
    char c;
    fdio_read(busy_pipe[0], &c, 1, -1);
    atomic_store(&spins_when_read, atomic_load(&spins_done));
    return v_unit();
}
static void *late_writer(void *arg) {
    (void)arg;
    usleep(30000);
    ssize_t w = write(busy_pipe[1], "x", 1);
    (void)w;
    return NULL;
}
DEFPROC(main_busy, 0) {
    proc_spawn(FN(net_reader), 0, NULL, NULL);
    proc_spawn(FN(spinner), 0, NULL, NULL);
    return v_unit();
}
TEST(busy_program_hears_fds_det) {
    CHECK(pipe2(busy_pipe, O_NONBLOCK | O_CLOEXEC) == 0);
    atomic_store(&spins_done, 0);
    pthread_t t;
    pthread_create(&t, NULL, late_writer, NULL);
    CHECK_EQ_INT(run_with(FN(main_busy), 0), 0);
    pthread_join(t, NULL);
    CHECK_EQ_INT(atomic_load(&spins_done), 1000);
    CHECK(atomic_load(&spins_when_read) < 1000); /* read while the spinner was still going */
    close(busy_pipe[0]);
    close(busy_pipe[1]);
}

/* A socket whose peer went away: writing is -EPIPE for the writer, not a
 * SIGPIPE that ends the whole program (fdio_write, fdio_writev). */
static int gone_fd;
static _Atomic long epipes;
DEFPROC(write_to_gone_peer, 0) {
    char big[4096] = {0};
    if (fdio_write(gone_fd, big, sizeof big, sched_now() + 5000) == -EPIPE) atomic_fetch_add(&epipes, 1);
    struct iovec v[2] = {{big, 10}, {big, 20}};
    if (fdio_writev(gone_fd, v, 2, sched_now() + 5000) == -EPIPE) atomic_fetch_add(&epipes, 1);
    return v_unit();
}
TEST(write_to_gone_peer_is_epipe) {
    for (int threads = 0; threads <= 2; threads += 2) {
        int sp[2];
        CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sp) == 0);
        close(sp[1]);
        gone_fd = sp[0];
        atomic_store(&epipes, 0);
        CHECK_EQ_INT(run_with(FN(write_to_gone_peer), threads), 0);
        CHECK_EQ_INT(atomic_load(&epipes), 2);
        close(sp[0]);
    }
}

/* ---- replay ---------------------------------------------------------------------------------- */

static int rp_pipe[2];
DEFPROC(chunk_reader, 0) {
    char buf[64];
    for (;;) {
        ssize_t n = fdio_read(rp_pipe[0], buf, sizeof buf, -1);
        if (n <= 0) break;
        say("chunk [%.*s] at t=%lld", (int)n, buf, (long long)sched_now());
        timer_bi_sleep((Value[]){v_int(1)}, 1);
    }
    say("end of input");
    return v_unit();
}
DEFPROC(ticker, 0) {
    for (int i = 0; i < 5; i++) {
        timer_bi_sleep((Value[]){v_int(7)}, 1);
        say("tick %d", i);
    }
    return v_unit();
}
DEFPROC(main_replay, 0) {
    proc_spawn(FN(chunk_reader), 0, NULL, NULL);
    proc_spawn(FN(ticker), 0, NULL, NULL);
    return v_unit();
}
static void *feeder(void *arg) {
    (void)arg;
    const char *parts[] = {"hel", "lo ", "wor", "ld"};
    for (int i = 0; i < 4; i++) {
        usleep(4000);
        ssize_t w = write(rp_pipe[1], parts[i], strlen(parts[i]));
        (void)w;
    }
    usleep(4000);
    close(rp_pipe[1]);
    return NULL;
}

/* One run of main_replay in real time (det); feed = start the writer. */
static int replay_run(bool feed, const char *events_path) {
    if (pipe2(rp_pipe, O_NONBLOCK | O_CLOEXEC) != 0) return -1;
    pthread_t t;
    if (feed) pthread_create(&t, NULL, feeder, NULL);
    else close(rp_pipe[1]); /* nobody writes: a live run would see end of input at once */
    rt_apply_hook = t_apply;
    t_outlen = 0;
    t_out[0] = 0;
    t_ev_start();
    RtConfig cfg = {.events_path = events_path};
    if (!rt_init(&cfg)) return -1;
    ev_set_callback(t_ev_cb, NULL);
    int st = rt_run_main(FN(main_replay));
    rt_shutdown();
    if (feed) pthread_join(t, NULL);
    close(rp_pipe[0]);
    return st;
}

TEST(replay_reads_without_the_pipe) {
    static char out1[1 << 16], ev1[1 << 18];
    iolog_set_mode(IOLOG_RECORD);
    CHECK_EQ_INT(replay_run(true, NULL), 0);
    snprintf(out1, sizeof out1, "%s", t_out);
    snprintf(ev1, sizeof ev1, "%s", t_ev ? t_ev : "");
    CHECK(strstr(out1, "end of input") != NULL);
    CHECK(iolog_size() > 0);
    /* the text arrived in some chunks: all of it */
    CHECK(strstr(out1, "[hel") != NULL);
    /* replay from memory: same output and events, the pipe never written */
    iolog_set_mode(IOLOG_REPLAY);
    CHECK_EQ_INT(replay_run(false, NULL), 0);
    CHECK_EQ_STR(t_out, out1);
    CHECK(t_ev && strcmp(t_ev, ev1) == 0);
    CHECK_EQ_INT(iolog_remaining(), 0);
    /* a live run without the writer: different (proves the replay used the journal) */
    iolog_set_mode(IOLOG_OFF);
    CHECK_EQ_INT(replay_run(false, NULL), 0);
    CHECK(strcmp(t_out, out1) != 0);
    /* through an events file: record with the file sink, load, replay */
    char path[] = "/tmp/snow-test-replay-XXXXXX";
    int tmp = mkstemp(path);
    CHECK(tmp >= 0);
    close(tmp);
    CHECK_EQ_INT(replay_run(true, path), 0);
    snprintf(out1, sizeof out1, "%s", t_out);
    char err[256];
    CHECK(iolog_load(path, err, sizeof err));
    if (getenv("KEEP")) fprintf(stderr, "events: %s\n", path);
    CHECK(iolog_size() > 0);
    CHECK_EQ_INT(replay_run(false, NULL), 0);
    CHECK_EQ_STR(t_out, out1);
    CHECK_EQ_INT(iolog_remaining(), 0);
    if (!getenv("KEEP")) unlink(path);
    iolog_free();
}

/* ---- sched_run_blocking ------------------------------------------------------------------------ */

typedef struct ReadJob {
    int fd;
    char c;
    ssize_t n;
    pthread_t thread;
} ReadJob;

static void read_job(void *arg) { /* blocks this OS thread until a byte comes */
    ReadJob *j = arg;
    j->thread = pthread_self();
    int fl = fcntl(j->fd, F_GETFL);
    fcntl(j->fd, F_SETFL, fl & ~O_NONBLOCK);
    do j->n = read(j->fd, &j->c, 1);
    while (j->n < 0 && errno == EINTR);
}
static int slow_pipe[2];
static _Atomic int job_on_caller_thread;
DEFPROC(slow_reader, 0) {
    ReadJob j = {.fd = slow_pipe[0]};
    sched_run_blocking(read_job, &j);
    if (j.n == 1 && j.c == 'z') atomic_fetch_add(&a_count, 1);
    atomic_store(&job_on_caller_thread, pthread_equal(j.thread, pthread_self()));
    return v_unit();
}
DEFPROC(slow_writer, 0) {
    timer_bi_sleep((Value[]){v_int(20)}, 1); /* runs only if a worker is free */
    atomic_fetch_add(&b_count, 1);
    ssize_t w = write(slow_pipe[1], "z", 1);
    (void)w;
    return v_unit();
}
DEFPROC(main_slow, 0) {
    proc_spawn(FN(slow_reader), 0, NULL, NULL);
    proc_spawn(FN(slow_writer), 0, NULL, NULL);
    return v_unit();
}
static void watchdog(int sig) {
    (void)sig;
    static const char m[] = "test_poll: a blocking job stopped the scheduler (watchdog)\n";
    ssize_t w = write(2, m, sizeof m - 1);
    (void)w;
    _exit(1);
}
TEST(blocking_job_does_not_stop_others) {
    signal(SIGALRM, watchdog);
    for (int threads = 1; threads <= 2; threads++) {
        CHECK(pipe2(slow_pipe, O_CLOEXEC) == 0);
        atomic_store(&a_count, 0);
        atomic_store(&b_count, 0);
        alarm(20);
        CHECK_EQ_INT(run_with(FN(main_slow), threads), 0);
        alarm(0);
        CHECK_EQ_INT(atomic_load(&a_count), 1);
        CHECK_EQ_INT(atomic_load(&b_count), 1);
        CHECK_EQ_INT(atomic_load(&job_on_caller_thread), 0); /* it ran on the pool */
        CHECK(bpool_threads() == 0);                         /* joined at shutdown */
        close(slow_pipe[0]);
        close(slow_pipe[1]);
    }
}

static void inline_job(void *arg) { *(pthread_t *)arg = pthread_self(); }
DEFPROC(main_inline, 0) {
    pthread_t t;
    sched_run_blocking(inline_job, &t);
    atomic_store(&job_on_caller_thread, pthread_equal(t, pthread_self()));
    return v_unit();
}
TEST(blocking_inline_when_deterministic) {
    atomic_store(&job_on_caller_thread, 0);
    CHECK_EQ_INT(run_with(FN(main_inline), 0), 0);
    CHECK_EQ_INT(atomic_load(&job_on_caller_thread), 1);
}

/* An exit signal to a process whose job runs takes effect after the job,
 * at the next scheduling point (the caller may free what the job made). */
static _Atomic int job_started, job_finished, after_job, reached_end;
static void sleepy_job(void *arg) {
    volatile int *x = arg;
    atomic_store(&job_started, 1);
    usleep(30000);
    *x = 42; /* writes into the caller's stack: it must still be there */
    atomic_store(&job_finished, 1);
}
DEFPROC(victim, 0) {
    volatile int x = 0;
    sched_run_blocking(sleepy_job, (void *)&x);
    atomic_store(&after_job, x); /* still running: the job's result is ours */
    recv_any();                  /* a scheduling point: the kill lands here */
    atomic_store(&reached_end, 1);
    return v_unit();
}
DEFPROC(main_kill_job, 0) {
    uint64_t v = proc_spawn(FN(victim), 0, NULL, NULL);
    proc_monitor(v);
    while (!atomic_load(&job_started)) timer_bi_sleep((Value[]){v_int(1)}, 1);
    proc_exit_pid(v, proc_reason(XR_KILLED)); /* while the job runs */
    recv_signal(); /* Down */
    atomic_store(&a_count, atomic_load(&job_finished));
    return v_unit();
}
TEST(exit_signal_waits_for_the_job) {
    for (int threads = 1; threads <= 2; threads++) {
        atomic_store(&job_started, 0);
        atomic_store(&job_finished, 0);
        atomic_store(&after_job, 0);
        atomic_store(&reached_end, 0);
        atomic_store(&a_count, 0);
        CHECK_EQ_INT(run_with(FN(main_kill_job), threads), 0);
        CHECK_EQ_INT(atomic_load(&a_count), 1); /* the Down came after the job */
        CHECK_EQ_INT(atomic_load(&after_job), 42);
        CHECK_EQ_INT(atomic_load(&reached_end), 0);
    }
}

int main(void) {
    (void)t_run;
    RUN(pipe_pingpong);
    RUN(waits);
    RUN(busy_program_hears_fds_det);
    RUN(write_to_gone_peer_is_epipe);
    RUN(replay_reads_without_the_pipe);
    RUN(blocking_job_does_not_stop_others);
    RUN(blocking_inline_when_deterministic);
    RUN(exit_signal_waits_for_the_job);
    return harness_report();
}
