/* cmd_run.c — `snow run`: compile, prepare and run a program on the
 * deterministic scheduler (default) or the threaded one (--threads N), and
 * `--explore K` (run under seeds 1..K and group the distinct outcomes). */
#include "cmd_run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "diag.h"
#include "output.h"
#include "pipeline.h"
#include "rt.h"
#include "sb.h"
#include "node.h"
#include "sched.h"
#include "stack.h"
#include "xalloc.h"

typedef struct RunOpts {
    CliOpts common;
    RtConfig rt;
    long explore;
    const char *node_name;   /* --name: start this node before main runs */
    const char *cookie_file; /* --cookie-file: the cookie, kept out of the process list */
    long hb_interval, hb_timeout;
    int argc;      /* program arguments after `--` */
    char **argv;
} RunOpts;

#define RUN_MAX_THREADS 1024 /* --threads bound (snow help run, docs/scheduler.md) */

static bool parse_num(const char *s, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *s == 0 || *end != 0 || v < 0) return false;
    *out = v;
    return true;
}

/* A size for --max-stack: bytes, or a number followed by K, M or G (1024-based). */
static bool parse_size(const char *s, size_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *s == '-') return false;
    unsigned shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    default: break;
    }
    if (*end || v > (1ull << 40) >> shift) return false; /* at most 1 TiB */
    *out = (size_t)(v << shift);
    return true;
}

static int parse_run_args(int argc, char **argv, RunOpts *o) {
    memset(o, 0, sizeof *o);
    o->common.color = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        long v;
        if (strcmp(a, "--") == 0) {
            o->argc = argc - i - 1;
            o->argv = argv + i + 1;
            break;
        }
        if (strcmp(a, "--seed") == 0 || strcmp(a, "--threads") == 0 || strcmp(a, "--explore") == 0) {
            if (i + 1 >= argc || !parse_num(argv[i + 1], &v)) {
                fprintf(stderr, "snow run: %s needs a non-negative integer\n", a);
                return -1;
            }
            if (a[2] == 's') o->rt.seed = (uint64_t)v;
            else if (a[2] == 't') {
                /* checked before anything runs: a worker is an OS thread with its own stacks */
                if (v > RUN_MAX_THREADS) {
                    fprintf(stderr, "snow run: --threads takes 1 to %d worker threads (0 = one per core), not %s\n",
                            RUN_MAX_THREADS, argv[i + 1]);
                    return -1;
                }
                if (v == 0) v = sysconf(_SC_NPROCESSORS_ONLN);
                if (v < 1) v = 1;
                if (v > RUN_MAX_THREADS) v = RUN_MAX_THREADS;
                o->rt.threads = (int)v;
            } else o->explore = v;
            i++;
            continue;
        }
        if (strcmp(a, "--virtual-time") == 0) { o->rt.virtual_time = true; continue; }
        if (strcmp(a, "--name") == 0 || strcmp(a, "--cookie-file") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "snow run: %s needs a %s\n", a, a[2] == 'n' ? "node name (name@host:port)" : "file name");
                return -1;
            }
            if (a[2] == 'n') o->node_name = argv[++i];
            else o->cookie_file = argv[++i];
            continue;
        }
        if (strcmp(a, "--heartbeat") == 0) {
            char *end;
            const char *s = i + 1 < argc ? argv[i + 1] : "";
            errno = 0;
            o->hb_interval = strtol(s, &end, 10);
            o->hb_timeout = 0;
            if (*end == ',') o->hb_timeout = strtol(end + 1, &end, 10);
            if (errno || !*s || *end || o->hb_interval < 1 || o->hb_timeout < 0) {
                fprintf(stderr, "snow run: --heartbeat needs INTERVAL_MS or INTERVAL_MS,TIMEOUT_MS (e.g. 500,1500)\n");
                return -1;
            }
            i++;
            continue;
        }
        if (strcmp(a, "--max-stack") == 0) {
            size_t bytes;
            if (i + 1 >= argc || !parse_size(argv[i + 1], &bytes) || bytes < STACK_MAX_MIN) {
                fprintf(stderr, "snow run: --max-stack needs a size of at least %zuK (e.g. 512M or 2G)\n",
                        (size_t)STACK_MAX_MIN >> 10);
                return -1;
            }
            o->rt.max_stack = bytes;
            i++;
            continue;
        }
        if (strcmp(a, "--events") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "snow run: --events needs a file name\n");
                return -1;
            }
            o->rt.events_path = argv[++i];
            continue;
        }
        if (strcmp(a, "--json") == 0) { o->common.json = true; continue; }
        if (strncmp(a, "--color=", 8) == 0) {
            o->common.color = strcmp(a + 8, "always") == 0 ? 1 : strcmp(a + 8, "never") == 0 ? 0 : -1;
            continue;
        }
        if (a[0] == '-' && a[1]) {
            fprintf(stderr, "snow run: unknown option '%s'\nrun `snow help run` for the options\n", a);
            return -1;
        }
        if (!o->common.path) { o->common.path = a; continue; }
        fprintf(stderr, "snow run: unexpected argument '%s' (program arguments go after `--`)\n", a);
        return -1;
    }
    if (!o->common.path) {
        fprintf(stderr, "snow run: missing PATH (a .snow file or a project directory)\n");
        return -1;
    }
    if (o->rt.threads && o->rt.seed) {
        fprintf(stderr, "snow run: --seed chooses the deterministic scheduler's interleaving; it has no effect "
                        "with --threads (drop one of them)\n");
        return -1;
    }
    if (o->rt.threads && o->rt.virtual_time) {
        fprintf(stderr, "snow run: --virtual-time is a deterministic-scheduler clock; with --threads time is "
                        "real (drop one of them)\n");
        return -1;
    }
    if (!o->node_name != !o->cookie_file) {
        fprintf(stderr, "snow run: --name and --cookie-file go together (a node needs its cookie)\n");
        return -1;
    }
    if (o->node_name && o->explore) {
        fprintf(stderr, "snow run: --explore runs the program many times; it cannot start a node (drop --name)\n");
        return -1;
    }
    if (o->explore && o->rt.threads) {
        fprintf(stderr, "snow run: --explore uses the deterministic scheduler; drop --threads\n");
        return -1;
    }
    diag_set_json(o->common.json);
    diag_set_color(o->common.color);
    return 0;
}

/* One run.  `guard`: output.h's guarantees (flushing, write errors,
 * SIGINT/SIGTERM/SIGHUP); an --explore child runs without them (its stdout
 * is a pipe to the parent, and it is one of many). */
static int run_once(RunOpts *o, Value main_fn, bool guard) {
    if (!rt_init(&o->rt)) return 2;
    if (guard) out_start(o->rt.events_path);
    int status = rt_run_main(main_fn);
    if (guard) status = out_finish(status);
    fflush(stdout);
    rt_shutdown();
    return status;
}

typedef struct Outcome {
    char *out;
    size_t len;
    int status;
    long count, first_seed;
} Outcome;

static int explore(RunOpts *o, Value main_fn) {
    Outcome *outs = NULL;
    size_t nouts = 0;
    fflush(stdout);
    fflush(stderr);
    for (long seed = 1; seed <= o->explore; seed++) {
        int fds[2];
        if (pipe(fds) != 0) { perror("snow run: pipe"); return 2; }
        pid_t child = fork();
        if (child < 0) { perror("snow run: fork"); return 2; }
        if (child == 0) {
            close(fds[0]);
            dup2(fds[1], 1);
            int devnull = open("/dev/null", 1);
            if (devnull >= 0) dup2(devnull, 2);
            close(fds[1]);
            o->rt.seed = (uint64_t)seed;
            o->rt.events_path = NULL;
            int st = run_once(o, main_fn, false);
            fflush(stdout);
            _exit(st);
        }
        close(fds[1]);
        SB out;
        sb_init(&out);
        sb_read_fd(&out, fds[0]); /* a read error ends the output like EOF */
        close(fds[0]);
        size_t len = out.len;
        char *buf = sb_detach(&out);
        int wst = 0;
        waitpid(child, &wst, 0);
        int status = WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + WTERMSIG(wst);
        size_t k = 0;
        for (; k < nouts; k++)
            if (outs[k].status == status && outs[k].len == len && memcmp(outs[k].out, buf, len) == 0) break;
        if (k < nouts) {
            outs[k].count++;
            free(buf);
        } else {
            outs = xrealloc(outs, (nouts + 1) * sizeof *outs);
            outs[nouts++] = (Outcome){buf, len, status, 1, seed};
        }
    }
    printf("explored seeds 1..%ld: %zu distinct outcome%s\n", o->explore, nouts, nouts == 1 ? "" : "s");
    for (size_t k = 0; k < nouts; k++) {
        printf("\noutcome %zu: %ld seed%s, smallest seed %ld, exit status %d\n", k + 1, outs[k].count,
               outs[k].count == 1 ? "" : "s", outs[k].first_seed, outs[k].status);
        const char *p = outs[k].out, *end = p + outs[k].len;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
            printf("  | %.*s\n", (int)n, p);
            p += n + (nl ? 1 : 0);
        }
        printf("  reproduce: snow run --seed %ld %s\n", outs[k].first_seed, o->common.path);
        free(outs[k].out);
    }
    free(outs);
    return 0;
}

/* --name / --cookie-file: read the cookie (trailing whitespace dropped),
 * bind the listener; the node starts with main. */
static bool start_node(const RunOpts *o) {
    FILE *f = fopen(o->cookie_file, "r");
    if (!f) {
        fprintf(stderr, "snow run: cannot read the cookie file %s: %s\n", o->cookie_file, strerror(errno));
        return false;
    }
    char cookie[1024];
    size_t n = fread(cookie, 1, sizeof cookie - 1, f);
    fclose(f);
    while (n && (cookie[n - 1] == '\n' || cookie[n - 1] == '\r' || cookie[n - 1] == ' ' || cookie[n - 1] == '\t')) n--;
    cookie[n] = 0;
    char err[400];
    bool ok = dist_configure(o->node_name, cookie, err, sizeof err);
    memset(cookie, 0, sizeof cookie);
    if (!ok) fprintf(stderr, "snow run: cannot start node %s: %s\n", o->node_name, err);
    return ok;
}

int cmd_run(int argc, char **argv) {
    RunOpts o;
    if (parse_run_args(argc, argv, &o) < 0) return 2;
    /* static: a panic exits from inside the runtime, and the project must
     * stay reachable for leak checkers */
    static Project proj;
    Value main_fn;
    if (!pipeline_compile(o.common.path, &proj, &main_fn)) return 1;
    /* Env.args: the program path, then the arguments after `--` */
    rt_argc = o.argc + 1;
    rt_argv = xcalloc((size_t)rt_argc + 1, sizeof *rt_argv);
    rt_argv[0] = (char *)o.common.path;
    for (int i = 0; i < o.argc; i++) rt_argv[i + 1] = o.argv[i];
    if (o.hb_interval) dist_set_heartbeat(o.hb_interval, o.hb_timeout);
    if (o.node_name && !start_node(&o)) {
        free(rt_argv);
        rt_argv = NULL;
        project_free(&proj);
        return 1;
    }
    int status = o.explore ? explore(&o, main_fn) : run_once(&o, main_fn, true);
    free(rt_argv);
    rt_argv = NULL;
    project_free(&proj);
    return status;
}
