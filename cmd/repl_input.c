/* repl_input.c — reading the REPL's inputs.
 *
 * On a terminal, libedit's readline runs on its own thread (it blocks); the
 * reader process asks it for a line through a pipe and parks on the answer,
 * so the scheduler keeps running the other processes meanwhile.  Otherwise
 * stdin is read directly, without prompts (scripted sessions).
 *
 * An input is complete when it parses; while a do/end block, a bracket or a
 * string is open, or a line ends with an operator, lines are added to it.
 * An unfinished input is cancelled by Ctrl-C, by an empty line when what is
 * open is a bracket, a string or an operator (`let x = [1, 2` then Enter),
 * and by a second empty line in a row inside a do/end block (blank lines are
 * normal in a function body).
 *
 * Ctrl-C: SIGINT's handler sets a flag and writes a byte to a pipe
 * (async-signal-safe).  On a terminal SIGINT is blocked in every thread but
 * the line editor's, so a Ctrl-C at the prompt makes readline return at
 * once: the half-typed input is dropped and a fresh prompt appears.  The
 * pipe wakes the REPL's watcher process, which interrupts a running input
 * (repl.c). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <editline/readline.h>

#include "bigstack.h"
#include "diag.h"
#include "lex.h"
#include "parse.h"
#include "repl_int.h"
#include "rt.h"
#include "sb.h"
#include "sched.h"
#include "source.h"
#include "stdlib_table.h"
#include "xalloc.h"

/* ---- Ctrl-C ----------------------------------------------------------------------------- */

static int sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t sigint_seen;

static void on_sigint(int sig) {
    (void)sig;
    int saved = errno;
    sigint_seen = 1;
    ssize_t r = write(sig_pipe[1], "c", 1);
    (void)r;
    errno = saved;
}

int repl_sigint_fd(void) { return sig_pipe[0]; }

/* ---- the line editor's thread --------------------------------------------------------------- */

static int req_pipe[2] = {-1, -1}, resp_pipe[2] = {-1, -1};

#define LINE_EOF (-1)
#define LINE_INTERRUPTED (-2)

static void write_all(int fd, const void *p, size_t n) {
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return;
        }
        c += w;
        n -= (size_t)w;
    }
}

static bool read_all(int fd, void *p, size_t n) {
    char *c = p;
    while (n) {
        ssize_t r = read(fd, c, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        c += r;
        n -= (size_t)r;
    }
    return true;
}

static void input_thread(void *arg) {
    (void)arg;
    /* Ctrl-C is delivered here: readline's read(2) fails with EINTR and
     * readline returns NULL, with sigint_seen telling it from Ctrl-D */
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGINT);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    for (;;) {
        uint32_t plen;
        if (!read_all(req_pipe[0], &plen, sizeof plen)) return;
        char prompt[64];
        if (plen >= sizeof prompt || !read_all(req_pipe[0], prompt, plen)) return;
        prompt[plen] = 0;
        sigint_seen = 0;
        char *line = readline(prompt);
        int32_t len = line ? (int32_t)strlen(line) : sigint_seen ? LINE_INTERRUPTED : LINE_EOF;
        write_all(resp_pipe[1], &len, sizeof len);
        if (line) {
            write_all(resp_pipe[1], line, (size_t)len);
            free(line);
        }
    }
}

/* One line from the terminal; NULL at the end of input, with *interrupted
 * set when Ctrl-C ended it. */
static char *tty_line(const char *prompt, bool *interrupted) {
    uint32_t plen = (uint32_t)strlen(prompt);
    write_all(req_pipe[1], &plen, sizeof plen);
    write_all(req_pipe[1], prompt, plen);
    fflush(stdout);
    sched_wait_io(resp_pipe[0], POLLIN, -1);
    int32_t len;
    if (!read_all(resp_pipe[0], &len, sizeof len)) return NULL;
    if (len < 0) {
        *interrupted = len == LINE_INTERRUPTED;
        return NULL;
    }
    char *line = xmalloc((size_t)len + 1);
    if (len && !read_all(resp_pipe[0], line, (size_t)len)) {
        free(line);
        return NULL;
    }
    line[len] = 0;
    return line;
}

/* ---- stdin that is not a terminal ------------------------------------------------------------ */

static char rbuf[65536];
static size_t rlen;
static bool rdone;

static char *read_line_plain(void) {
    for (;;) {
        char *nl = memchr(rbuf, '\n', rlen);
        if (nl) {
            size_t k = (size_t)(nl - rbuf);
            char *line = xstrndup(rbuf, k);
            memmove(rbuf, nl + 1, rlen - k - 1);
            rlen -= k + 1;
            return line;
        }
        if (rdone) {
            if (rlen) {
                char *line = xstrndup(rbuf, rlen);
                rlen = 0;
                return line;
            }
            return NULL;
        }
        if (rlen == sizeof rbuf) { /* an absurdly long line: take it as is */
            char *line = xstrndup(rbuf, rlen);
            rlen = 0;
            return line;
        }
        sched_wait_io(0, POLLIN, -1);
        ssize_t r = read(0, rbuf + rlen, sizeof rbuf - rlen);
        if (r <= 0) {
            if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            rdone = true;
        } else {
            rlen += (size_t)r;
        }
    }
}

/* ---- is the input finished? ------------------------------------------------------------------ */

typedef enum Open {
    OPEN_NONE,  /* complete */
    OPEN_BLOCK, /* a do/end block is open */
    OPEN_EXPR,  /* a bracket or a string is open, or a line ends with an operator */
} Open;

static bool continues(TokKind k) {
    switch (k) {
    case TK_PLUS: case TK_PLUSPLUS: case TK_MINUS: case TK_ARROW: case TK_STAR: case TK_SLASH: case TK_PERCENT:
    case TK_EQEQ: case TK_NEQ: case TK_LT: case TK_LE: case TK_DIAMOND: case TK_GT: case TK_GE: case TK_ANDAND:
    case TK_OROR: case TK_PIPE: case TK_BAR: case TK_ASSIGN: case TK_FATARROW: case TK_COLONCOLON: case TK_COLON:
    case TK_DOTDOT: case TK_DOT: case TK_COMMA: case TK_AND: case TK_OR: case TK_NOT:
        return true;
    default: return false;
    }
}

/* Parse the input and see whether an error sits at its very end. */
static Open open_part(const char *text) {
    size_t n = strlen(text);
    uint32_t id = src_add("probe", text, n);
    TokenList toks = lex_file(id);
    bool fatal = false, oper = false;
    int depth = 0;
    for (uint32_t i = 0; i < toks.n; i++) {
        TokKind k = toks.toks[i].kind;
        if (k == TK_LPAREN || k == TK_LBRACKET || k == TK_LBRACE) depth++;
        if (k == TK_RPAREN || k == TK_RBRACKET || k == TK_RBRACE) depth--;
    }
    for (uint32_t i = toks.n; i > 0; i--) {
        TokKind k = toks.toks[i - 1].kind;
        if (k == TK_EOF || k == TK_NEWLINE) continue;
        fatal = k == TK_ERROR && toks.toks[i - 1].span.off + toks.toks[i - 1].span.len >= n;
        oper = continues(k);
        break;
    }
    int nerr = 0;
    parse_file(id, &toks, &nerr);
    lex_free(&toks);
    bool at_end = nerr && diag_has_error_from(id, (uint32_t)n);
    diag_reset();
    if (fatal || (at_end && (depth > 0 || oper))) return OPEN_EXPR;
    return at_end ? OPEN_BLOCK : OPEN_NONE;
}

/* Is the text made of `##` doc comment lines only? */
static bool only_docs(const char *s) {
    bool any = false;
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') s++;
        if (!*s) break;
        if (s[0] != '#' || s[1] != '#' || s[2] == '!') return false;
        any = true;
        while (*s && *s != '\n') s++;
    }
    return any;
}

static bool blank(const char *s) {
    while (*s == ' ' || *s == '\t' || *s == '\r') s++;
    return !*s;
}

char *repl_next_input(void) {
    SB b;
    sb_init(&b);
    const char *prompt = "snow> ";
    int blanks = 0;
    bool hinted = false;
    for (;;) {
        bool interrupted = false;
        char *line = R.tty ? tty_line(prompt, &interrupted) : read_line_plain();
        if (!line && interrupted) {
            /* Ctrl-C: drop what was typed, a fresh prompt */
            printf("^C\n");
            fflush(stdout);
            b.len = 0;
            prompt = "snow> ";
            blanks = 0;
            continue;
        }
        if (!line) {
            if (b.len) {
                fputs("(input cancelled: it was not finished)\n", stderr);
                fflush(stderr);
            }
            sb_free(&b);
            return NULL;
        }
        if (b.len && blank(line)) {
            blanks++;
            Open o = open_part(sb_cstr(&b));
            if (o == OPEN_EXPR || blanks >= 2) {
                free(line);
                fputs("(input cancelled: it was not finished)\n", stderr);
                fflush(stderr);
                b.len = 0;
                prompt = "snow> ";
                blanks = 0;
                hinted = false;
                continue;
            }
            if (R.tty && !hinted) {
                fputs("(unfinished input: another empty line or Ctrl-C cancels it)\n", stderr);
                fflush(stderr);
                hinted = true;
            }
        } else {
            blanks = 0;
        }
        sb_puts(&b, line);
        sb_puts(&b, "\n");
        free(line);
        if (blank(sb_cstr(&b))) {
            b.len = 0;
            continue;
        }
        const char *s = sb_cstr(&b);
        while (*s == ' ' || *s == '\t') s++;
        if (*s == ':') return sb_detach(&b);
        /* a `##` doc comment waits for the definition it documents */
        if (!only_docs(s) && open_part(sb_cstr(&b)) == OPEN_NONE) return sb_detach(&b);
        prompt = "  ... ";
    }
}

/* ---- completion ------------------------------------------------------------------------------- */

static char **cands;
static size_t ncands, capcands;

static void cand(const char *prefix, size_t plen, const char *qual, const char *name) {
    if (strncmp(name, prefix, plen) != 0) return;
    char buf[256];
    snprintf(buf, sizeof buf, "%s%s", qual, name);
    for (size_t i = 0; i < ncands; i++)
        if (strcmp(cands[i], buf) == 0) return;
    if (ncands == capcands) {
        capcands = capcands ? capcands * 2 : 64;
        cands = xrealloc(cands, capcands * sizeof *cands);
    }
    cands[ncands++] = xstrdup(buf);
}

static char *complete_gen(const char *text, int state) {
    static size_t idx;
    if (state == 0) {
        for (size_t i = 0; i < ncands; i++) free(cands[i]);
        ncands = 0;
        idx = 0;
        const char *dot = strrchr(text, '.');
        if (dot) {
            /* Module.function */
            char mod[128];
            size_t ml = (size_t)(dot - text);
            if (ml >= sizeof mod) ml = sizeof mod - 1;
            memcpy(mod, text, ml);
            mod[ml] = 0;
            char qual[140];
            snprintf(qual, sizeof qual, "%s.", mod);
            for (const StdFn *f = stdlib_next_in_module(mod, NULL); f; f = stdlib_next_in_module(mod, f))
                cand(dot + 1, strlen(dot + 1), qual, f->name);
        } else {
            size_t pl = strlen(text);
            for (int i = 0; repl_command_names[i]; i++) cand(text, pl, "", repl_command_names[i]);
            for (uint32_t i = 0; i < R.nbinds; i++) cand(text, pl, "", R.binds[i].name);
            for (uint32_t i = 0; i < R.ndefs; i++) cand(text, pl, "", R.defs[i].name);
            for (unsigned i = 0, n = stdlib_count(); i < n; i++) {
                const StdFn *f = stdlib_at(i);
                if (f->module[0]) cand(text, pl, "", f->module);
                if (f->flags & SF_PRELUDE) cand(text, pl, "", f->name);
            }
            static const char *const kws[] = {"actor", "case", "else", "end", "false", "fn", "for", "if", "impl",
                                              "import", "interface", "let", "receive", "send", "service", "spawn",
                                              "struct", "supervisor", "true", "type", "while", "Some", "None",
                                              "Ok", "Err", NULL};
            for (int i = 0; kws[i]; i++) cand(text, pl, "", kws[i]);
        }
    }
    if (idx < ncands) return xstrdup(cands[idx++]);
    return NULL;
}

static char **complete(const char *text, int start, int end) {
    (void)start;
    (void)end;
    rl_attempted_completion_over = 1;
    return rl_completion_matches(text, complete_gen);
}

/* ---- set-up ------------------------------------------------------------------------------------- */

static char history_path[4096];

void repl_history_add(const char *line) {
    if (!R.tty || !history_path[0]) return;
    add_history(line);
    write_history(history_path);
}

void repl_input_init(bool tty) {
    if (pipe(sig_pipe) != 0) rt_fatal("pipe: %s", strerror(errno));
    fcntl(sig_pipe[0], F_SETFL, fcntl(sig_pipe[0], F_GETFL) | O_NONBLOCK);
    fcntl(sig_pipe[1], F_SETFL, fcntl(sig_pipe[1], F_GETFL) | O_NONBLOCK);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: readline's read must fail with EINTR */
    sigaction(SIGINT, &sa, NULL);
    if (tty) {
        /* every thread started from now on inherits the mask: only the line
         * editor's thread unblocks SIGINT */
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGINT);
        pthread_sigmask(SIG_BLOCK, &s, NULL);
    }
}

void repl_input_start(void) {
    if (!R.tty) return;
    printf("Snow REPL — type :help for help, :quit to leave (Ctrl-C cancels, Ctrl-D on an empty line leaves)\n");
    const char *home = getenv("HOME");
    if (home) {
        snprintf(history_path, sizeof history_path, "%s/.snow_history", home);
        using_history();
        read_history(history_path);
    }
    rl_catch_signals = 0; /* libedit's handler would re-raise SIGINT to the whole process group */
    rl_attempted_completion_function = complete;
    rl_completion_append_character = '\0';
    rl_basic_word_break_characters = " \t\n\"()[]{},+-*/%<>=|&!";
    if (pipe(req_pipe) != 0 || pipe(resp_pipe) != 0) rt_fatal("pipe: %s", strerror(errno));
    run_detached(input_thread, NULL);
}
