/* test_netreplay.c — a run that talked to the network replays without it
 * (issue 15, "replayable I/O"; fdio.h, iolog.h).
 *
 * The recorded run (deterministic scheduler, real time) listens on a TCP
 * port of 127.0.0.1 (fdio_socket; bind and listen through fdio_call) and
 * accepts two connections: one from an OS thread outside the runtime that
 * sends its text in pieces with pauses between them (so how the server's
 * reads cut it depends on timing), and one from a process of the run
 * (fdio_socket + fdio_connect).  The server echoes what it reads.
 *
 * The replay — from the in-memory journal, and from an events file read
 * back with iolog_load — has no client thread, never calls bind or listen
 * (sockets are placeholders: nothing listens), and must print the same
 * output and produce the same event stream, consuming the whole journal.
 * Without the journal such a run could not even finish: it waits for a
 * second connection nobody makes. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fdio.h"
#include "iolog.h"
#include "poll.h"
#include "proc_testlib.h"

#define DEADLINE (sched_now() + 10000) /* a broken run fails, it does not hang */

static _Atomic int live_port;  /* set by the recorded run's bind, read by the client thread */
static _Atomic int bind_calls; /* how often bind/listen really ran */

/* fdio_call body: bind fd to 127.0.0.1:0, listen, give back the port. */
static int64_t bind_listen(int fd, void *ud, void *out, size_t cap, size_t *len) {
    (void)ud;
    atomic_fetch_add(&bind_calls, 1);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 8) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &alen) != 0)
        return -errno;
    if (cap < 2) return -EINVAL;
    memcpy(out, &a.sin_port, 2);
    *len = 2;
    atomic_store(&live_port, ntohs(a.sin_port));
    return 0;
}

DEFPROC(echo_conn, 2) { /* args: fd, connection number */
    int fd = (int)args[0].i;
    char buf[64];
    for (;;) {
        ssize_t n = fdio_read(fd, buf, sizeof buf, DEADLINE);
        if (n <= 0) {
            say("conn %lld: %s", (long long)args[1].i, n == 0 ? "end" : strerror((int)-n));
            break;
        }
        say("conn %lld: [%.*s] at t=%lld", (long long)args[1].i, (int)n, buf, (long long)sched_now());
        if (fdio_write(fd, buf, (size_t)n, DEADLINE) != n) say("echo failed");
    }
    fdio_close(fd);
    return v_unit();
}

DEFPROC(server, 1) {
    int lfd = (int)args[0].i;
    for (int i = 0; i < 2; i++) {
        struct sockaddr_in peer;
        socklen_t plen = sizeof peer;
        int c = fdio_accept(lfd, (struct sockaddr *)&peer, &plen, DEADLINE);
        if (c < 0) {
            say("accept: %s", strerror(-c));
            break;
        }
        char ip[INET_ADDRSTRLEN] = "?";
        inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof ip);
        /* the peer's port differs from run to run: replay must give the recorded one */
        say("accepted %d from %s:%d", i, ip, ntohs(peer.sin_port));
        Value a[2] = {v_int(c), v_int(i)};
        proc_spawn(FN(echo_conn), 2, a, NULL);
    }
    fdio_close(lfd);
    return v_unit();
}

DEFPROC(client, 1) { /* a process of the run connects: fdio_connect */
    int fd = fdio_socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)args[0].i),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int r = fdio_connect(fd, (struct sockaddr *)&a, sizeof a, DEADLINE);
    say("client connect: %d", r);
    if (r == 0 && fdio_write(fd, "ping", 4, DEADLINE) == 4) {
        char buf[8];
        size_t got = 0;
        while (got < 4) {
            ssize_t n = fdio_read(fd, buf + got, 4 - got, DEADLINE);
            if (n <= 0) break;
            got += (size_t)n;
        }
        say("client echo: [%.*s]", (int)got, buf);
    }
    fdio_close(fd);
    return v_unit();
}

DEFPROC(main_net, 0) {
    int lfd = fdio_socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0) {
        say("socket: %s", strerror(-lfd));
        return v_unit();
    }
    uint16_t port_be = 0;
    size_t len = 0;
    int64_t r = fdio_call(lfd, bind_listen, NULL, &port_be, sizeof port_be, &len);
    if (r < 0 || len != 2) {
        say("bind: %s", strerror((int)-r));
        return v_unit();
    }
    Value l = v_int(lfd), port = v_int(ntohs(port_be));
    proc_spawn(FN(server), 1, &l, NULL);
    proc_spawn(FN(client), 1, &port, NULL);
    return v_unit();
}

/* The client outside the runtime: text in pieces, then read the echo. */
static void *outside_client(void *arg) {
    (void)arg;
    while (!atomic_load(&live_port)) usleep(1000);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atomic_load(&live_port)),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        if (fd >= 0) close(fd);
        return NULL;
    }
    const char *parts[] = {"hel", "lo ", "net", "work"};
    for (int i = 0; i < 4; i++) {
        usleep(4000);
        ssize_t w = send(fd, parts[i], strlen(parts[i]), MSG_NOSIGNAL);
        (void)w;
    }
    shutdown(fd, SHUT_WR);
    char buf[64];
    while (recv(fd, buf, sizeof buf, 0) > 0) {
    }
    close(fd);
    return NULL;
}

/* One run of main_net; live = start the outside client. */
static int net_run(bool live, const char *events_path) {
    atomic_store(&live_port, 0);
    pthread_t t;
    if (live) pthread_create(&t, NULL, outside_client, NULL);
    rt_apply_hook = t_apply;
    t_outlen = 0;
    t_out[0] = 0;
    t_ev_start();
    RtConfig cfg = {.events_path = events_path};
    if (!rt_init(&cfg)) return -1;
    ev_set_callback(t_ev_cb, NULL);
    int st = rt_run_main(FN(main_net));
    rt_shutdown();
    if (live) {
        atomic_store(&live_port, -1); /* a thread still waiting for the port gives up */
        pthread_join(t, NULL);
    }
    return st;
}

static bool has(const char *s) { return strstr(t_out, s) != NULL; }

TEST(network_run_replays_without_the_network) {
    static char out1[1 << 16], ev1[1 << 18];
    atomic_store(&bind_calls, 0);
    iolog_set_mode(IOLOG_RECORD);
    CHECK_EQ_INT(net_run(true, NULL), 0);
    snprintf(out1, sizeof out1, "%s", t_out);
    snprintf(ev1, sizeof ev1, "%s", t_ev ? t_ev : "");
    CHECK_EQ_INT(atomic_load(&bind_calls), 1);
    CHECK(has("accepted 0 from 127.0.0.1:") && has("accepted 1 from 127.0.0.1:"));
    CHECK(has("client connect: 0"));
    CHECK(has("client echo: [ping]"));
    CHECK(has("[hel")); /* the outside client's text arrived, in whatever pieces */
    CHECK(strstr(ev1, " op=accept ") && strstr(ev1, " op=connect ") && strstr(ev1, " op=call "));
    if (getenv("VERBOSE")) fprintf(stderr, "%s", out1);

    /* replay from memory: no network at all, same output and events */
    iolog_set_mode(IOLOG_REPLAY);
    CHECK_EQ_INT(net_run(false, NULL), 0);
    CHECK_EQ_STR(t_out, out1);
    CHECK(t_ev && strcmp(t_ev, ev1) == 0);
    CHECK_EQ_INT(iolog_remaining(), 0);
    CHECK_EQ_INT(atomic_load(&bind_calls), 1); /* bind and listen were not called again */

    /* through an events file (snow run --events, then snow trace --replay) */
    char path[] = "/tmp/snow-test-netreplay-XXXXXX";
    int tmp = mkstemp(path);
    CHECK(tmp >= 0);
    close(tmp);
    iolog_set_mode(IOLOG_OFF);
    CHECK_EQ_INT(net_run(true, path), 0);
    snprintf(out1, sizeof out1, "%s", t_out);
    CHECK_EQ_INT(atomic_load(&bind_calls), 2);
    char err[256];
    CHECK(iolog_load(path, err, sizeof err));
    CHECK(iolog_size() > 0);
    CHECK_EQ_INT(net_run(false, NULL), 0);
    CHECK_EQ_STR(t_out, out1);
    CHECK_EQ_INT(iolog_remaining(), 0);
    CHECK_EQ_INT(atomic_load(&bind_calls), 2);
    unlink(path);
    iolog_free();
}

int main(void) {
    (void)t_run;
    RUN(network_run_replays_without_the_network);
    return harness_report();
}
