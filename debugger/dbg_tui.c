/* dbg_tui.c — the interactive front end of `snow trace` (ncurses).
 *
 * Screen, top to bottom: title bar; the current event and why the run
 * stopped; the panes; a message / prompt line; the key line.
 *  - wide terminals (>= 110 x 32): Processes | Source on top, Process |
 *    <switchable view> below;
 *  - smaller ones: Processes on top, the switchable view below.
 * The switchable pane shows one of the nine views (1-9, Tab cycles; the
 * timeline by default).  Every pane is drawn from the same text the
 * headless --dump prints (dbg_view.c).
 *
 * The program's output never reaches the terminal (dbg_run.c captures it);
 * ncurses talks to the real terminal through the descriptors saved before
 * the capture.  Keys are read only while paused. */
#include <ctype.h>
#include <curses.h>
#include <inttypes.h>
#include <locale.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "dbg.h"

static SCREEN *scr;
static FILE *tui_in;
static bool colors;

enum { CP_TITLE = 1, CP_HILITE, CP_ERROR, CP_MARK, CP_HEAD, CP_DIM };

/* If the program ends the process behind our back (an internal error exits
 * with status 70), give the terminal back first. */
static void tui_atexit(void) {
    if (scr) endwin();
}

static void tui_init(Dbg *d) {
    if (scr) return;
    static bool registered;
    if (!registered) {
        atexit(tui_atexit);
        registered = true;
    }
    setlocale(LC_ALL, "");
    int fd = dup(d->ui_in_fd);
    tui_in = fdopen(fd, "r");
    scr = newterm(NULL, d->ui_out, tui_in);
    if (!scr) {
        fprintf(d->ui_out, "snow trace: cannot start the terminal UI (TERM=%s)\n", getenv("TERM") ? getenv("TERM") : "");
        fflush(d->ui_out);
        d->action = ACT_QUIT;
        return;
    }
    set_term(scr);
    raw();
    noecho();
    keypad(stdscr, TRUE);
    timeout(250);
    curs_set(0);
    colors = has_colors();
    if (colors) {
        start_color();
        use_default_colors();
        init_pair(CP_TITLE, COLOR_WHITE, COLOR_BLUE);
        init_pair(CP_HILITE, COLOR_BLACK, COLOR_CYAN);
        init_pair(CP_ERROR, COLOR_RED, -1);
        init_pair(CP_MARK, COLOR_BLACK, COLOR_YELLOW);
        init_pair(CP_HEAD, COLOR_BLACK, COLOR_WHITE);
        init_pair(CP_DIM, COLOR_BLUE, -1);
    }
}

void dbg_tui_end(Dbg *d) {
    (void)d;
    if (!scr) return;
    endwin();
    delscreen(scr);
    scr = NULL;
    if (tui_in) fclose(tui_in);
    tui_in = NULL;
}

static attr_t attr_of(int a) {
    attr_t r = A_NORMAL;
    if (a & DA_HILITE) r |= colors ? COLOR_PAIR(CP_HILITE) : A_REVERSE;
    else if (a & DA_MARK) r |= colors ? COLOR_PAIR(CP_MARK) : A_STANDOUT;
    else if (a & DA_ERROR) r |= colors ? COLOR_PAIR(CP_ERROR) : A_BOLD;
    else if (a & DA_DIM) r |= colors ? COLOR_PAIR(CP_DIM) : A_DIM;
    if (a & DA_BOLD) r |= A_BOLD;
    return r;
}

/* One line at (y, x), exactly w cells: clipped, padded with blanks. */
static void put_line(int y, int x, int w, const char *s, attr_t a) {
    if (w <= 0) return;
    attrset(a);
    move(y, x);
    int used = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && used < w) {
        int len = 1;
        if (*p >= 0xC0) len = *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : 2;
        addnstr((const char *)p, len);
        for (int k = 0; k < len && *p; k++) p++;
        used++;
    }
    for (; used < w; used++) addch(' ');
    attrset(A_NORMAL);
}

typedef struct Pane {
    int y, x, h, w, view;
} Pane;

static bool wide(void) { return COLS >= 110 && LINES >= 32; }

static bool zoomed;

static int layout(Dbg *d, Pane *p) {
    int top = 2, bottom = LINES - 2; /* rows [top, bottom) */
    int mid = bottom - top;
    if (mid < 4) return 0;
    if (zoomed) {
        p[0] = (Pane){top, 0, mid, COLS, d->view};
        return 1;
    }
    if (wide()) {
        int th = mid * 2 / 5, lw = COLS / 2, sw = COLS * 2 / 5;
        if (th < 6) th = 6;
        p[0] = (Pane){top, 0, th, lw, V_PROCS};
        p[1] = (Pane){top, lw + 1, th, COLS - lw - 1, V_PROC};
        p[2] = (Pane){top + th, 0, mid - th, sw, V_SOURCE};
        p[3] = (Pane){top + th, sw + 1, mid - th, COLS - sw - 1, d->view};
        return 4;
    }
    int th = mid / 3;
    if (th < 4) th = mid > 8 ? 4 : 0;
    int n = 0;
    if (th) p[n++] = (Pane){top, 0, th, COLS, V_PROCS};
    p[n++] = (Pane){top + th, 0, mid - th, COLS, d->view};
    return n;
}

/* Code points of UTF-8 text up to byte n (one cell each). */
static int cells(const char *s, size_t n) {
    int c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) c++;
    return c;
}

/* Long lines of `in` broken into rows of at most w cells, at a space when
 * there is one, continuation rows indented; the focus follows its line. */
static void wrap_text(const DbgText *in, int w, DbgText *out) {
    out->focus = -1;
    for (int i = 0; i < in->n; i++) {
        const char *s = in->v[i].s;
        int attr = in->v[i].attr;
        if (i == in->focus) out->focus = out->n;
        size_t lead = strspn(s, " ");
        int indent = (int)lead + 4 < w / 2 ? (int)lead + 4 : 2;
        bool first = true;
        for (;;) {
            int room = first ? w : w - indent;
            size_t len = strlen(s);
            if (room < 8 || cells(s, len) <= room) {
                if (first) dt_addn(out, attr, s, len);
                else dt_add(out, attr, "%*s%s", indent, "", s);
                break;
            }
            /* the byte offset of cell `room`, then back to a space */
            size_t cut = 0;
            for (int c = 0; c < room; cut++)
                if (((unsigned char)s[cut + 1] & 0xC0) != 0x80) c++;
            size_t sp = cut;
            while (sp > 0 && s[sp] != ' ') sp--;
            if (sp > (size_t)(first ? lead : 0) + 4) cut = sp;
            if (first) dt_addn(out, attr, s, cut);
            else dt_add(out, attr, "%*s%.*s", indent, "", (int)cut, s);
            s += cut;
            while (*s == ' ') s++;
            first = false;
            if (!*s) break;
        }
    }
}

static void draw_pane(Dbg *d, const Pane *p, bool switchable) {
    if (p->h < 2) return;
    char head[256];
    if (switchable)
        snprintf(head, sizeof head, " [%d] %s   (1-9/Tab: views, z: zoom, PgUp/PgDn: scroll)", p->view + 1,
                 dbg_view_name(p->view));
    else if (p->view == V_PROC) {
        char pid[48];
        dbg_fmt_pid(pid, sizeof pid, d->selected);
        snprintf(head, sizeof head, " [2] Process %s%s", pid, d->follow ? "   (follows the events; o: pin)" : "   (pinned; o: follow)");
    } else snprintf(head, sizeof head, " [%d] %s", p->view + 1, dbg_view_name(p->view));
    put_line(p->y, p->x, p->w, head, colors ? COLOR_PAIR(CP_HEAD) | A_BOLD : A_REVERSE);
    int rows = p->h - 1;
    DbgText t;
    dt_init(&t);
    dbg_render(d, p->view, p->w, rows, &t);
    bool windowed = p->view == V_TIMELINE || p->view == V_SOURCE || p->view == V_OUTPUT;
    if (!windowed && p->view != V_PROCS) { /* text views wrap */
        DbgText wrapped;
        dt_init(&wrapped);
        wrap_text(&t, p->w, &wrapped);
        dt_free(&t);
        t = wrapped;
    }
    int y = p->y + 1, first = 0;
    if (p->view == V_PROCS && t.n) { /* the header row stays; the selection stays visible */
        put_line(y++, p->x, p->w, t.v[0].s, attr_of(t.v[0].attr));
        rows--;
        int f = t.focus > 0 ? t.focus - 1 : 0;
        if (f >= rows) first = f - rows + 1;
        first += 1;
    } else if (!windowed) {
        if (t.focus >= rows) first = t.focus - rows + 1;
        first += d->scroll[p->view];
        if (first > t.n - rows) first = t.n - rows;
        if (first < 0) first = 0;
    }
    for (int r = 0; r < rows; r++) {
        int i = first + r;
        const char *s = i < t.n ? t.v[i].s : "";
        attr_t a = i < t.n ? attr_of(t.v[i].attr) : A_NORMAL;
        put_line(y + r, p->x, p->w, s, a);
    }
    dt_free(&t);
}

static const char *key_line(void) {
    if (COLS >= 118)
        return " n next  m next msg  c continue  b back  r restart  s seed  / search  p f l M breakpoints  Tab view  ? help  q quit";
    if (COLS >= 78) return " n next m msg c cont b back r restart s seed / find Tab view ? help q quit";
    return " n m c b r s / M Tab ? q  (? help)";
}

static void draw(Dbg *d, const char *status) {
    erase();
    SB b;
    sb_init(&b);
    dbg_title(d, &b);
    put_line(0, 0, COLS, sb_cstr(&b), colors ? COLOR_PAIR(CP_TITLE) | A_BOLD : A_REVERSE);
    b.len = 0;
    dbg_current_event(d, &b);
    if (d->stop_reason[0]) sb_printf(&b, "   [%s]", d->stop_reason);
    put_line(1, 0, COLS, sb_cstr(&b), A_BOLD);
    sb_free(&b);
    Pane p[4];
    int n = layout(d, p);
    for (int i = 0; i < n; i++) {
        draw_pane(d, &p[i], i == n - 1);
        if (p[i].x + p[i].w < COLS) /* the column separator */
            for (int y = p[i].y; y < p[i].y + p[i].h; y++) mvaddch(y, p[i].x + p[i].w, ACS_VLINE);
    }
    const char *m = status ? status : d->msg[0] ? d->msg : d->ended ? d->ended_msg : "";
    put_line(LINES - 2, 0, COLS, m, d->msg[0] && !status ? A_BOLD : A_NORMAL);
    put_line(LINES - 1, 0, COLS, key_line(), A_REVERSE);
    refresh();
}

/* The help: at most 20 lines of at most 74 columns, so that with its frame
 * it fits an 80 x 24 terminal. */
static const char *const help_lines[] = {
    "stepping                              breakpoints",
    " n Space ->  next event                p  on the selected process",
    " m           next message              f  on its actor function",
    " c           continue (a key stops it) l  on the highlighted line",
    " b <- Bksp   step back one event       M  on a message pattern, e.g.",
    " g           go to a step                 Withdraw(a) when a > 100",
    " r           restart from the start    X  delete them all (view 9)",
    " s           another scheduling seed",
    "looking around",
    " Up Down j k select a process (pins)   o  follow the acting process",
    " 1-9 Tab     views: 1 processes 2 process 3 supervision 4 links",
    "             5 timeline 6 source 7 nodes 8 output 9 breakpoints",
    " PgUp PgDn   scroll the lower pane     z  zoom it     Home  back",
    " / ] [       search the timeline       v  every scheduler event",
    " :           a command: next, goto N, break-msg PAT, seed N, ...",
    " ? h         this help                 q  quit",
};

/* getch with a resize check every 250 ms: SIGWINCH may be taken by another
 * thread of the process, so the terminal size is also polled.  Returns
 * KEY_RESIZE after a resize and ERR when the terminal has gone away. */
static int read_key(void) {
    for (;;) {
        int ch = getch();
        if (ch != ERR) return ch;
        struct winsize ws;
        if (ioctl(fileno(tui_in), TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0 &&
            (ws.ws_row != LINES || ws.ws_col != COLS)) {
            resizeterm(ws.ws_row, ws.ws_col);
            return KEY_RESIZE;
        }
        struct pollfd pf = {.fd = fileno(tui_in), .events = POLLIN};
        if (poll(&pf, 1, 0) > 0 && (pf.revents & (POLLHUP | POLLERR | POLLNVAL))) return ERR;
    }
}

/* The help in a framed box of its own, drawn over a cleared area. */
static void help_overlay(void) {
    int n = (int)(sizeof help_lines / sizeof help_lines[0]);
    int w = 78 < COLS ? 78 : COLS, h = n + 4 < LINES ? n + 4 : LINES;
    if (w < 20 || h < 5) return;
    int y0 = (LINES - h) / 2, x0 = (COLS - w) / 2;
    WINDOW *win = newwin(h, w, y0, x0);
    if (!win) return;
    werase(win);
    if (colors) wbkgd(win, COLOR_PAIR(CP_HEAD));
    wborder(win, '|', '|', '-', '-', '+', '+', '+', '+'); /* ASCII: any terminal, any locale */
    const char *title = " snow trace: watch your actors, one event at a time ";
    wattron(win, A_BOLD);
    mvwaddnstr(win, 0, 2, title, w - 4);
    wattroff(win, A_BOLD);
    for (int i = 0; i < n && i + 1 < h - 2; i++) {
        bool head = help_lines[i][0] != ' ';
        if (head) wattron(win, A_BOLD);
        mvwaddnstr(win, i + 1, 2, help_lines[i], w - 4);
        if (head) wattroff(win, A_BOLD);
    }
    mvwaddnstr(win, h - 2, 2, "press any key to close", w - 4);
    wrefresh(win);
    read_key();
    delwin(win);
    touchwin(stdscr); /* the screen under the box is drawn again */
}

/* A one-line prompt; returns false when cancelled (Esc / Ctrl-C). */
static bool prompt(const char *label, char *buf, size_t cap) {
    size_t n = 0;
    buf[0] = 0;
    curs_set(1);
    for (;;) {
        char line[600];
        snprintf(line, sizeof line, "%s%s", label, buf);
        put_line(LINES - 2, 0, COLS, line, A_BOLD);
        int cx = (int)(strlen(label) + n);
        move(LINES - 2, cx < COLS ? cx : COLS - 1);
        refresh();
        int ch = read_key();
        if (ch == ERR) {
            curs_set(0);
            return false;
        }
        if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) break;
        if (ch == 27 || ch == 3 || ch == 7) {
            curs_set(0);
            return false;
        }
        if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
            if (n) buf[--n] = 0;
            continue;
        }
        if (ch == KEY_RESIZE) continue;
        if (ch >= 32 && ch < 256 && n + 1 < cap) {
            buf[n++] = (char)ch;
            buf[n] = 0;
        }
    }
    curs_set(0);
    return true;
}

static void exec(Dbg *d, const char *cmd) {
    d->msg[0] = 0;
    dbg_exec(d, cmd);
}

static int find_bp(Dbg *d, BpKind k, uint64_t pid, const char *name, uint32_t line) {
    for (int i = 0; i < d->nbps; i++) {
        DbgBreak *b = &d->bps[i];
        if (b->kind != k) continue;
        if (k == BP_PROC && b->pid == pid) return b->id;
        if (k == BP_FN && name && b->name && !strcmp(b->name, name)) return b->id;
        if (k == BP_LINE && b->line == line) return b->id;
    }
    return 0;
}

static void move_selection(Dbg *d, int dir) {
    DbgModel *m = &d->m;
    if (!m->nprocs) return;
    int64_t cur = -1;
    for (uint64_t i = 0; i < m->nprocs; i++)
        if (m->procs[i].pid == d->selected) cur = (int64_t)i;
    for (int64_t i = cur + dir; i >= 0 && i < (int64_t)m->nprocs; i += dir)
        if (m->procs[i].pid != DBG_NONE) {
            d->selected = m->procs[i].pid;
            d->follow = false;
            return;
        }
}

/* The line the source pane highlights (for `l`). */
static uint32_t current_line(Dbg *d) {
    DbgText t;
    dt_init(&t);
    dbg_render(d, V_SOURCE, 200, 5, &t);
    uint32_t line = 0;
    if (t.focus >= 0) line = (uint32_t)atoi(t.v[t.focus].s + 2);
    dt_free(&t);
    return line;
}

static void handle_key(Dbg *d, int ch) {
    char buf[512];
    switch (ch) {
    case 'n': case ' ': case KEY_RIGHT: exec(d, "next"); break;
    case 'm': exec(d, "next-message"); break;
    case 'c': exec(d, "continue"); break;
    case 'b': case KEY_LEFT: case KEY_BACKSPACE: case 127: exec(d, "back"); break;
    case 'r': exec(d, "restart"); break;
    case 'q': case 3: exec(d, "quit"); break;
    case 's':
        if (prompt("seed (0 = FIFO order): ", buf, 32)) {
            char cmd[600];
            snprintf(cmd, sizeof cmd, "seed %s", buf);
            exec(d, cmd);
        }
        break;
    case 'g':
        if (prompt("go to step: ", buf, 32)) {
            char cmd[600];
            snprintf(cmd, sizeof cmd, "goto %s", buf);
            exec(d, cmd);
        }
        break;
    case '/':
        if (prompt("search the timeline: ", buf, 120)) {
            char cmd[600];
            snprintf(cmd, sizeof cmd, "search %s", buf);
            exec(d, cmd);
            d->view = V_TIMELINE;
            d->scroll[V_TIMELINE] = 0;
        }
        break;
    case ']': exec(d, "search-next"); d->view = V_TIMELINE; break;
    case '[': exec(d, "search-prev"); d->view = V_TIMELINE; break;
    case ':':
        if (prompt(":", buf, sizeof buf - 1)) exec(d, buf);
        break;
    case 'M':
        if (prompt("break on message pattern: ", buf, 400)) {
            char cmd[600];
            snprintf(cmd, sizeof cmd, "break-msg %s", buf);
            exec(d, cmd);
        }
        break;
    case 'p': {
        int id = find_bp(d, BP_PROC, d->selected, NULL, 0);
        if (id) snprintf(buf, sizeof buf, "delete %d", id);
        else {
            char pid[48];
            dbg_fmt_pid(pid, sizeof pid, d->selected);
            snprintf(buf, sizeof buf, "break %s", pid);
        }
        exec(d, buf);
        break;
    }
    case 'f': {
        DbgProc *p = dm_proc(&d->m, d->selected);
        if (!p || !p->name) break;
        int id = find_bp(d, BP_FN, 0, p->name, 0);
        if (id) snprintf(buf, sizeof buf, "delete %d", id);
        else snprintf(buf, sizeof buf, "break-fn %s", p->name);
        exec(d, buf);
        break;
    }
    case 'l': {
        uint32_t line = current_line(d);
        if (!line) {
            snprintf(d->msg, sizeof d->msg, "no current source line");
            break;
        }
        int id = find_bp(d, BP_LINE, 0, NULL, line);
        if (id) snprintf(buf, sizeof buf, "delete %d", id);
        else snprintf(buf, sizeof buf, "break-line %u", line);
        exec(d, buf);
        break;
    }
    case 'X': exec(d, "delete all"); break;
    case 'v':
        d->all_events = !d->all_events;
        snprintf(d->msg, sizeof d->msg, "%s", d->all_events ? "showing every scheduler event (run, block, wake, preempt, ...)"
                                                            : "showing the learner's events (spawn, messages, exits, links, ...)");
        break;
    case 'o':
        d->follow = !d->follow;
        if (d->follow && d->m.cur && d->m.cur->pid != DBG_NONE) d->selected = d->m.cur->pid;
        break;
    case KEY_UP: case 'k': move_selection(d, -1); break;
    case KEY_DOWN: case 'j': move_selection(d, 1); break;
    case '\t': d->view = (d->view + 1) % V__COUNT; break;
    case KEY_BTAB: d->view = (d->view + V__COUNT - 1) % V__COUNT; break;
    case KEY_PPAGE: d->scroll[d->view] += d->view == V_SOURCE ? -10 : 10; break;
    case KEY_NPAGE:
        d->scroll[d->view] += d->view == V_SOURCE ? 10 : -10;
        if (d->view != V_SOURCE && d->scroll[d->view] < 0) d->scroll[d->view] = 0;
        break;
    case KEY_HOME: case KEY_END: d->scroll[d->view] = 0; d->search_hit = 0; break;
    case 'z': zoomed = !zoomed; break;
    case '?': case 'h': help_overlay(); break;
    case KEY_RESIZE: break;
    default:
        if (ch >= '1' && ch <= '9') {
            d->view = ch - '1';
            break;
        }
        if (ch > 0 && ch < 256 && isprint(ch)) snprintf(d->msg, sizeof d->msg, "key `%c` does nothing here: ? shows every key", ch);
        break;
    }
}

void dbg_tui_pause(Dbg *d) {
    tui_init(d);
    if (!scr) return;
    for (;;) {
        draw(d, NULL);
        int ch = read_key();
        if (ch == ERR) {
            d->action = ACT_QUIT; /* the terminal went away */
            return;
        }
        handle_key(d, ch);
        if (d->action != ACT_NONE) {
            if (d->action != ACT_QUIT) {
                d->stop_reason[0] = 0;
                draw(d, d->action == ACT_RERUN ? "replaying from the start..." : "running... (any key interrupts)");
            }
            return;
        }
    }
}

void dbg_tui_progress(Dbg *d) {
    if (!scr) return;
    char status[160];
    snprintf(status, sizeof status, "running... step %" PRIu64 ", t=%" PRId64 "ms   (any key interrupts)", d->m.last_step,
             d->m.now);
    draw(d, status);
}

/* While the program runs: a key pressed interrupts it (the key is consumed). */
bool dbg_tui_interrupted(Dbg *d) {
    (void)d;
    if (!scr) return false;
    struct pollfd pf = {.fd = fileno(tui_in), .events = POLLIN};
    if (poll(&pf, 1, 0) <= 0 || !(pf.revents & POLLIN)) return false;
    nodelay(stdscr, TRUE);
    int ch = getch();
    timeout(250);
    return ch != ERR && ch != KEY_RESIZE;
}
