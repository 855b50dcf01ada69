/* dbg_export.c — the whole run's message sequence chart:
 *   --export FILE.svg  a self-contained SVG picture (one lifeline per
 *                      process, an arrow per send, a dot where the message
 *                      was received, crosses where processes died);
 *   --export FILE.mmd  a Mermaid `sequenceDiagram` (paste into any Markdown
 *                      renderer that supports Mermaid).
 * Both show the learner's events (spawns, messages, receives, links,
 * monitors, signals, exits, supervisor restarts), in step order. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dbg.h"
#include "xalloc.h"

#define SVG_MAX_COLS 200

static bool wanted(const DbgEv *e) { return dm_is_learner_event(e) && e->kind != EV_DISCARD; }

static int col_of(const uint64_t *cols, int n, uint64_t pid) {
    for (int i = 0; i < n; i++)
        if (cols[i] == pid) return i;
    return -1;
}

/* ---- Mermaid ---------------------------------------------------------------------------- */

static void mmd_text(FILE *f, const char *s) {
    for (; s && *s; s++) {
        switch (*s) {
        case '<': fputs("#lt;", f); break;
        case '>': fputs("#gt;", f); break;
        case ';': fputs("#59;", f); break;
        case '#': fputs("#35;", f); break;
        case '\n': fputc(' ', f); break;
        default: fputc(*s, f);
        }
    }
}

static void mmd_note(FILE *f, uint64_t pid, const char *what, const char *text) {
    fprintf(f, "    Note over P%" PRIu64 ": ", pid_serial(pid));
    mmd_text(f, what);
    if (text) {
        fputc(' ', f);
        mmd_text(f, text);
    }
    fputc('\n', f);
}

static void mmd_arrow(FILE *f, uint64_t a, const char *arrow, uint64_t b, const char *label, const char *extra) {
    fprintf(f, "    P%" PRIu64 "%sP%" PRIu64 ": ", pid_serial(a), arrow, pid_serial(b));
    mmd_text(f, label);
    if (extra) mmd_text(f, extra);
    fputc('\n', f);
}

static void write_mmd(Dbg *d, FILE *f) {
    DbgModel *m = &d->m;
    fprintf(f, "%%%% snow trace %s --seed %" PRIu64 ": %" PRIu64 " events\n", d->path, d->seed, m->last_step);
    fputs("sequenceDiagram\n", f);
    for (uint64_t i = 0; i < m->nprocs; i++) {
        DbgProc *p = &m->procs[i];
        if (p->pid == DBG_NONE) continue;
        /* Mermaid aliases are plain text: `main 0.0` rather than `<0.0> main` */
        fprintf(f, "    participant P%" PRIu64 " as ", i);
        mmd_text(f, p->name ? p->name : "?");
        fprintf(f, " 0.%" PRIu64 "\n", pid_serial(p->pid));
    }
    for (uint32_t i = 0; i < m->nevs; i++) {
        DbgEv *e = &m->evs[i];
        if (!wanted(e)) continue;
        const char *v = e->val ? e->val : "";
        char buf[600];
        switch (e->kind) {
        case EV_SPAWN:
            if (e->pid == DBG_NONE) break;
            snprintf(buf, sizeof buf, "spawn %s", dm_proc(m, e->other) && dm_proc(m, e->other)->name ? dm_proc(m, e->other)->name : "?");
            mmd_arrow(f, e->pid, "-->>", e->other, buf, NULL);
            break;
        case EV_SEND:
            if (e->other == DBG_NONE || !dm_proc(m, e->other)) break;
            mmd_arrow(f, e->pid, e->dropped ? "-x" : "->>", e->other, v, e->dropped ? " (dropped)" : NULL);
            break;
        case EV_RECEIVE:
            mmd_note(f, e->pid, e->num < 0 ? "after: timeout" : "receive", e->num < 0 ? NULL : v);
            break;
        case EV_EXIT: mmd_note(f, e->pid, "exit", v); break;
        case EV_PANIC: mmd_note(f, e->pid, "panic:", e->text); break;
        case EV_LINK: mmd_arrow(f, e->pid, "--", e->other, "link", NULL); break;
        case EV_UNLINK: mmd_arrow(f, e->pid, "--", e->other, "unlink", NULL); break;
        case EV_MONITOR:
            if (dm_proc(m, e->other)) mmd_arrow(f, e->pid, "--)", e->other, "monitor", NULL);
            break;
        case EV_DEMONITOR: mmd_note(f, e->pid, "demonitor", NULL); break;
        case EV_DOWN:
            if (dm_proc(m, e->other)) {
                snprintf(buf, sizeof buf, "Down(#Ref<%" PRIu64 ">, ..., %s)", e->ref, v);
                mmd_arrow(f, e->other, "--)", e->pid, buf, NULL);
            }
            break;
        case EV_EXIT_SIGNAL:
            if (dm_proc(m, e->other)) {
                snprintf(buf, sizeof buf, "exit signal %s%s", v, e->text && !strcmp(e->text, "trapped") ? " (trapped)" : "");
                mmd_arrow(f, e->other, "--x", e->pid, buf, NULL);
            }
            break;
        case EV_REGISTER:
            snprintf(buf, sizeof buf, "\"%s\"", e->text ? e->text : "");
            mmd_note(f, e->pid, "register", buf);
            break;
        case EV_UNREGISTER: break;
        case EV_TIMER_SET:
            if (dm_proc(m, e->other)) {
                snprintf(buf, sizeof buf, "send_after %" PRId64 "ms: %s", e->num, v);
                mmd_note(f, e->pid, buf, NULL);
            }
            break;
        case EV_TIMER_FIRE:
            if (dm_proc(m, e->other) && dm_proc(m, e->pid)) mmd_arrow(f, e->pid, "-)", e->other, v, " (timer)");
            break;
        case EV_CHILD_START:
            snprintf(buf, sizeof buf, "start child %s", e->text ? e->text : "?");
            mmd_arrow(f, e->pid, "-->>", e->other, buf, NULL);
            break;
        case EV_RESTART:
            snprintf(buf, sizeof buf, "restart child %s (%s) after %s", e->text ? e->text : "?", e->text2 ? e->text2 : "?", v);
            mmd_note(f, e->pid, buf, NULL);
            break;
        case EV_QUERY: mmd_note(f, e->pid, "query", v); break;
        default: break;
        }
    }
}

/* ---- SVG -------------------------------------------------------------------------------- */

static void xml_text(FILE *f, const char *s, size_t max) {
    size_t n = 0;
    for (; s && *s && n < max; s++, n++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            if ((unsigned char)*s < 0x20) fputc(' ', f);
            else fputc(*s, f);
        }
    }
    if (s && *s) fputs("...", f);
}

#define X0 90
#define COLW 150
#define Y0 70
#define ROWH 22

static void write_svg(Dbg *d, FILE *f) {
    DbgModel *m = &d->m;
    uint64_t cols[SVG_MAX_COLS];
    int nc = 0;
    for (uint64_t i = 0; i < m->nprocs && nc < SVG_MAX_COLS; i++)
        if (m->procs[i].pid != DBG_NONE) cols[nc++] = m->procs[i].pid;
    uint32_t nrows = 0;
    for (uint32_t i = 0; i < m->nevs; i++) nrows += wanted(&m->evs[i]);
    int width = X0 + nc * COLW + 380, height = Y0 + (int)nrows * ROWH + 60;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
               "font-family=\"monospace\" font-size=\"12\">\n", width, height, width, height);
    fputs("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
          "orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#333\"/></marker>"
          "<marker id=\"arrowred\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
          "orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#c22\"/></marker></defs>\n", f);
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n<text x=\"10\" y=\"18\" font-size=\"14\" font-weight=\"bold\">snow trace ");
    xml_text(f, d->path, 200);
    fprintf(f, " --seed %" PRIu64 " (%" PRIu64 " events, exit %d)</text>\n", d->seed, m->last_step, d->status);
    /* the row of each event, and each process's lifeline span in rows */
    int *born = xcalloc((size_t)(nc ? nc : 1), sizeof *born), *died = xcalloc((size_t)(nc ? nc : 1), sizeof *died);
    for (int c = 0; c < nc; c++) died[c] = -1;
    int row = 0;
    for (uint32_t i = 0; i < m->nevs; i++) {
        DbgEv *e = &m->evs[i];
        if (!wanted(e)) continue;
        if (e->kind == EV_SPAWN) {
            int c = col_of(cols, nc, e->other);
            if (c >= 0) born[c] = row;
        }
        if (e->kind == EV_EXIT) {
            int c = col_of(cols, nc, e->pid);
            if (c >= 0) died[c] = row;
        }
        row++;
    }
    for (int c = 0; c < nc; c++) {
        DbgProc *p = dm_proc(m, cols[c]);
        int x = X0 + c * COLW + COLW / 2;
        int y1 = Y0 + born[c] * ROWH, y2 = died[c] >= 0 ? Y0 + died[c] * ROWH : Y0 + (int)nrows * ROWH;
        char pid[48];
        dbg_fmt_pid(pid, sizeof pid, cols[c]);
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"30\" rx=\"4\" fill=\"#e8eef8\" stroke=\"#6680aa\"/>\n",
                x - COLW / 2 + 6, Y0 - 42, COLW - 12);
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-weight=\"bold\">", x, Y0 - 30);
        xml_text(f, pid, 40);
        fprintf(f, "</text>\n<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", x, Y0 - 17);
        xml_text(f, p && p->name ? p->name : "?", 18);
        fputs("</text>\n", f);
        fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>\n", x, y1, x,
                y2);
    }
    row = 0;
    for (uint32_t i = 0; i < m->nevs; i++) {
        DbgEv *e = &m->evs[i];
        if (!wanted(e)) continue;
        int y = Y0 + row * ROWH + ROWH / 2;
        row++;
        int a = col_of(cols, nc, e->pid), b = col_of(cols, nc, e->other);
        int xa = X0 + a * COLW + COLW / 2, xb = X0 + b * COLW + COLW / 2;
        fprintf(f, "<text x=\"8\" y=\"%d\" fill=\"#888\">%" PRIu64 "</text>\n", y + 4, e->step);
        const char *v = e->val ? e->val : "";
        const char *color = "#333", *dash = "", *marker = "arrow";
        bool arrow = false;
        char label[600];
        label[0] = 0;
        switch (e->kind) {
        case EV_SPAWN:
            if (a >= 0 && b >= 0) {
                arrow = true;
                dash = " stroke-dasharray=\"6 3\"";
                color = "#3a7";
                snprintf(label, sizeof label, "spawn");
            }
            break;
        case EV_SEND:
        case EV_TIMER_FIRE:
            if (a >= 0 && b >= 0 && (e->kind == EV_SEND || (e->text && !strcmp(e->text, "send_after")))) {
                arrow = true;
                snprintf(label, sizeof label, "%s%s", v, e->dropped ? " (dropped)" : e->kind == EV_TIMER_FIRE ? " (timer)" : "");
                if (e->dropped) color = "#c22";
            }
            break;
        case EV_LINK:
        case EV_CHILD_START:
            if (a >= 0 && b >= 0) {
                fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#a6c\" stroke-width=\"3\" opacity=\"0.5\"/>\n",
                        xa, y, xb, y);
                fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#a6c\">", (xa + xb) / 2, y - 4);
                if (e->kind == EV_LINK) fputs("link", f);
                else {
                    fputs("start child ", f);
                    xml_text(f, e->text, 40);
                }
                fputs("</text>\n", f);
                continue;
            }
            break;
        case EV_MONITOR:
            if (a >= 0 && b >= 0) {
                arrow = true;
                dash = " stroke-dasharray=\"2 3\"";
                color = "#36c";
                snprintf(label, sizeof label, "monitor");
            }
            break;
        case EV_DOWN:
        case EV_EXIT_SIGNAL:
            if (a >= 0 && b >= 0) {
                int t = xa;
                xa = xb;
                xb = t;
                arrow = true;
                dash = " stroke-dasharray=\"2 3\"";
                color = "#c22";
                marker = "arrowred";
                if (e->kind == EV_DOWN) snprintf(label, sizeof label, "Down: %s", v);
                else snprintf(label, sizeof label, "exit signal %s%s", v, e->text && !strcmp(e->text, "trapped") ? " (trapped)" : "");
            }
            break;
        default: break;
        }
        if (arrow) {
            fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"%s marker-end=\"url(#%s)\"/>\n", xa, y,
                    xb + (xb > xa ? -3 : 3), y, color, dash, marker);
            fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\">", (xa + xb) / 2, y - 4, color);
            xml_text(f, label, (size_t)(abs(xb - xa) / 7 > 12 ? abs(xb - xa) / 7 : 12));
            fputs("</text>\n", f);
            continue;
        }
        if (a < 0) continue;
        /* one-process events: a mark and a note to the right */
        const char *note = NULL;
        char buf[600];
        switch (e->kind) {
        case EV_RECEIVE:
            fprintf(f, "<circle cx=\"%d\" cy=\"%d\" r=\"4\" fill=\"#333\"/>\n", xa, y);
            if (e->num < 0) note = "after: timeout";
            else {
                snprintf(buf, sizeof buf, "receive %s", v);
                note = buf;
            }
            break;
        case EV_EXIT: {
            bool normal = !strcmp(v, "Normal") || !strcmp(v, "Shutdown");
            if (normal) fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\" stroke-width=\"2\"/>\n", xa - 8, y, xa + 8, y);
            else
                fprintf(f, "<path d=\"M%d,%d L%d,%d M%d,%d L%d,%d\" stroke=\"#c22\" stroke-width=\"3\"/>\n", xa - 6, y - 6,
                        xa + 6, y + 6, xa - 6, y + 6, xa + 6, y - 6);
            snprintf(buf, sizeof buf, "exit %s", v);
            note = buf;
            break;
        }
        case EV_PANIC:
            snprintf(buf, sizeof buf, "panic: %s", e->text ? e->text : "");
            note = buf;
            break;
        case EV_REGISTER:
            snprintf(buf, sizeof buf, "register \"%s\"", e->text ? e->text : "");
            note = buf;
            break;
        case EV_RESTART:
            snprintf(buf, sizeof buf, "restart %s (%s)", e->text ? e->text : "?", e->text2 ? e->text2 : "?");
            note = buf;
            break;
        case EV_TIMER_SET:
            snprintf(buf, sizeof buf, "send_after %" PRId64 "ms", e->num);
            note = buf;
            break;
        default:
            if (e->kind != EV_SEND && e->kind != EV_SPAWN) {
                SB sb;
                sb_init(&sb);
                dm_describe(m, e, &sb);
                snprintf(buf, sizeof buf, "%s", sb_cstr(&sb));
                sb_free(&sb);
                note = buf;
            }
            break;
        }
        if (note) {
            bool red = e->kind == EV_PANIC || (e->kind == EV_EXIT && strcmp(v, "Normal") && strcmp(v, "Shutdown"));
            fprintf(f, "<text x=\"%d\" y=\"%d\" fill=\"%s\">", xa + 8, y + 4, red ? "#c22" : "#333");
            xml_text(f, note, 60);
            fputs("</text>\n", f);
        }
    }
    free(born);
    free(died);
    fputs("</svg>\n", f);
}

bool dbg_export(Dbg *d, const char *file, char *err, size_t cap) {
    FILE *f = fopen(file, "w");
    if (!f) {
        snprintf(err, cap, "cannot write %s: %s", file, strerror(errno));
        return false;
    }
    size_t n = strlen(file);
    if (n > 4 && !strcmp(file + n - 4, ".mmd")) write_mmd(d, f);
    else write_svg(d, f);
    bool ok = !ferror(f);
    if (fclose(f) != 0) ok = false;
    if (!ok) snprintf(err, cap, "error writing %s", file);
    return ok;
}
