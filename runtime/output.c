/* output.c — flushing, write errors and termination signals (output.h).
 *
 * The output thread sleeps in poll(2) on an eventfd.  It is woken by the
 * signal handler, by out_finish, and by the first write after it went to
 * sleep; while output keeps coming it ticks every OUT_TICK_MS and flushes
 * what is pending, and after OUT_QUIET_TICKS ticks with nothing to flush it
 * sleeps again (an idle program costs no wake-ups).  The sleep/wake hand-off
 * is a Dekker pair on `pending` and `awake` (seq_cst): a writer sets
 * pending then reads awake; the thread clears awake then reads pending, so
 * one of them always sees the other. */
#include "output.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "event.h"

#define OUT_QUIET_TICKS 10
#define OUT_EXIT_WAIT_MS 2000 /* at a signal: how long to wait for a writer to finish its line */

static const int out_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define NSIG_OUT (sizeof out_signals / sizeof out_signals[0])

static struct {
    bool on;
    const char *events_path; /* for messages */
    int efd;
    pthread_t thread;
    _Atomic bool pending; /* stdout may hold bytes not yet written */
    _Atomic bool awake;   /* the output thread is ticking */
    _Atomic bool stop;
    _Atomic int sig;      /* the first termination signal, 0 if none */
    bool handled[NSIG_OUT];
    struct sigaction old[NSIG_OUT];
    bool (*_Atomic stop_hook)(int sig);
    _Atomic int grace_ms;
    _Atomic bool stopping; /* the hook took a signal over */
} O;

static void kick(void) {
    uint64_t one = 1;
    ssize_t r = write(O.efd, &one, sizeof one);
    (void)r;
}

/* ---- failures ----------------------------------------------------------------------- */

/* Flush stdout before an exit, waiting at most OUT_EXIT_WAIT_MS for a
 * writer to finish its line (a writer holds the stream's lock for a whole
 * println, so only complete lines are written; if stdout is what failed
 * the flush fails again, harmlessly). */
static void flush_stdout_for_exit(void) {
    for (int waited = 0; waited < OUT_EXIT_WAIT_MS; waited++) {
        if (ftrylockfile(stdout) == 0) {
            fflush_unlocked(stdout);
            funlockfile(stdout);
            return;
        }
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
}

static _Noreturn void fail(const char *what, int err) {
    flush_stdout_for_exit();
    fprintf(stderr, "snow: cannot write %s: %s\n", what, strerror(err ? err : EIO));
    fflush(stderr);
    ev_flush_for_exit(OUT_EXIT_WAIT_MS);
    _exit(OUT_EXIT_IO);
}

static const char *events_what(char *buf, size_t cap) {
    snprintf(buf, cap, "the event file %s", O.events_path ? O.events_path : "");
    return buf;
}

static void check_events(void) {
    int err = ev_error();
    char b[512];
    if (err) fail(events_what(b, sizeof b), err);
}

/* ---- flushing ----------------------------------------------------------------------- */

/* Flush stdout if output is pending; true if it did. */
static bool flush_pending(void) {
    if (!atomic_load_explicit(&O.pending, memory_order_relaxed)) return false;
    if (!atomic_exchange(&O.pending, false)) return false;
    if (fflush(stdout) != 0) fail("to standard output", errno);
    return true;
}

void out_flush(void) {
    if (!O.on) return;
    flush_pending();
    if (ev_error()) check_events();
}

void out_wrote(bool ok) {
    if (!O.on) return;
    if (!ok) fail("to standard output", errno);
    if (atomic_load_explicit(&O.pending, memory_order_relaxed)) return;
    atomic_store(&O.pending, true);
    if (!atomic_load(&O.awake) && !atomic_exchange(&O.awake, true)) kick();
}

void out_stderr_failed(void) {
    if (O.on) fail("to standard error", errno);
}

/* ---- signals ------------------------------------------------------------------------ */

/* Async-signal-safe: an atomic exchange, write(2), signal(2), raise(3). */
static void on_signal(int sig) {
    int saved = errno;
    int first = 0;
    if (!atomic_compare_exchange_strong(&O.sig, &first, sig)) {
        signal(sig, SIG_DFL); /* a second signal: stop waiting for the flush */
        raise(sig);
    } else {
        kick();
    }
    errno = saved;
}

/* Flush what can be flushed without waiting for ever, then exit 128 + sig. */
static _Noreturn void exit_on_signal(int sig) {
    flush_stdout_for_exit();
    ev_flush_for_exit(OUT_EXIT_WAIT_MS);
    fflush(stderr);
    _exit(128 + sig);
}

void out_set_stop_hook(bool (*hook)(int sig), int grace_ms) {
    atomic_store(&O.grace_ms, grace_ms);
    atomic_store(&O.stop_hook, hook);
}

_Noreturn void out_exit(int status) {
    if (O.on) {
        flush_stdout_for_exit();
        ev_flush_for_exit(OUT_EXIT_WAIT_MS);
    } else {
        fflush(stdout);
    }
    fflush(stderr);
    _exit(status);
}

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A signal arrived: hand it to the stop hook, or exit. */
static void on_stop_signal(int sig, int64_t *deadline) {
    if (atomic_load(&O.stopping)) return;
    bool (*hook)(int) = atomic_load(&O.stop_hook);
    if (!hook || !hook(sig)) exit_on_signal(sig);
    atomic_store(&O.stopping, true);
    *deadline = now_ms() + atomic_load(&O.grace_ms);
}

/* ---- the output thread -------------------------------------------------------------- */

static void *out_thread(void *arg) {
    (void)arg;
    int quiet = 0;
    int64_t stop_deadline = -1; /* a stop was handed over: exit 0 at this time */
    for (;;) {
        struct pollfd pfd = {.fd = O.efd, .events = POLLIN};
        int timeout = atomic_load(&O.awake) ? OUT_TICK_MS : -1;
        if (stop_deadline >= 0) {
            int64_t left = stop_deadline - now_ms();
            if (left <= 0) out_exit(0); /* the stop took longer than its grace: end it */
            if (timeout < 0 || left < timeout) timeout = (int)left;
        }
        int r = poll(&pfd, 1, timeout);
        if (r > 0) {
            uint64_t v;
            ssize_t n = read(O.efd, &v, sizeof v);
            (void)n;
        }
        int sig = atomic_load(&O.sig);
        if (sig) on_stop_signal(sig, &stop_deadline);
        if (atomic_load(&O.stop)) return NULL;
        if (r != 0) continue; /* woken: start ticking */
        if (ev_error()) check_events();
        if (flush_pending()) {
            quiet = 0;
        } else if (++quiet >= OUT_QUIET_TICKS) {
            quiet = 0;
            atomic_store(&O.awake, false);
            if (atomic_load(&O.pending)) atomic_store(&O.awake, true);
        }
    }
}

void out_start(const char *events_path) {
    if (O.on) return;
    O.events_path = events_path;
    O.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (O.efd < 0) {
        perror("snow: eventfd");
        return; /* run without the guarantees rather than not at all */
    }
    if (isatty(STDOUT_FILENO)) setvbuf(stdout, NULL, _IOLBF, 0);
    atomic_store(&O.pending, false);
    atomic_store(&O.awake, false);
    atomic_store(&O.stop, false);
    atomic_store(&O.sig, 0);
    atomic_store(&O.stopping, false);
    /* the thread takes no signal: the handler runs on another thread and
     * the thread only ever reacts to the eventfd */
    sigset_t all, prev;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &prev);
    int err = pthread_create(&O.thread, NULL, out_thread, NULL);
    pthread_sigmask(SIG_SETMASK, &prev, NULL);
    if (err) {
        fprintf(stderr, "snow: cannot start the output thread: %s\n", strerror(err));
        close(O.efd);
        return;
    }
    O.on = true;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (size_t i = 0; i < NSIG_OUT; i++) {
        /* a signal ignored by whoever started us (nohup, `&` in a script) stays ignored */
        O.handled[i] = sigaction(out_signals[i], NULL, &O.old[i]) == 0 && O.old[i].sa_handler != SIG_IGN &&
                       sigaction(out_signals[i], &sa, NULL) == 0;
    }
}

int out_finish(int status) {
    if (!O.on) return status;
    for (size_t i = 0; i < NSIG_OUT; i++)
        if (O.handled[i]) sigaction(out_signals[i], &O.old[i], NULL);
    atomic_store(&O.stop, true);
    kick();
    pthread_join(O.thread, NULL);
    int sig = atomic_load(&O.sig);
    if (sig && !atomic_load(&O.stopping)) exit_on_signal(sig); /* it came while the thread was stopping */
    O.on = false;
    close(O.efd);
    const char *what = NULL;
    char b[512];
    int err = 0;
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) what = "to standard output", err = errno;
    else if (ferror(stderr)) what = "to standard error", err = errno;
    else if ((err = ev_flush()) != 0) what = events_what(b, sizeof b);
    atomic_store(&O.pending, false);
    if (!what) return status;
    fprintf(stderr, "snow: cannot write %s: %s\n", what, strerror(err ? err : EIO));
    fflush(stderr);
    return status ? status : OUT_EXIT_IO; /* a panic's or deadlock's status stays */
}
