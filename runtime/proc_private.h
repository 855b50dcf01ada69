/* proc_private.h — the process record, private to runtime/.
 *
 * Only runtime/ includes this header (tests/scripts/layers.sh checks it):
 * the interpreter, the debugger and the commands see Proc as an opaque type
 * and use proc.h's functions (proc_hot, proc_info, proc_relations,
 * proc_mailbox).  The invariants are proc.h's. */
#ifndef SNOW_PROC_PRIVATE_H
#define SNOW_PROC_PRIVATE_H

#include <setjmp.h>
#include <stddef.h>

#include "ctx.h"
#include "mbox_private.h"
#include "mt.h"
#include "proc.h"

/* Where an unwind lands: the process base, terminate, or proc_catch. */
typedef struct UnwindFrame {
    jmp_buf jb;
    struct UnwindFrame *prev;
    StackSeg *seg;         /* segment active when established */
    RecvWait *recv;        /* receive state to restore */
    uint32_t pause_depth;  /* paused-spawn scope state to restore */
    uint32_t npaused;
    bool catches_exit;     /* exit signals land here too (base, terminate) */
    bool quiet;            /* panics are not printed (proc_catch) */
    bool report;           /* panics are reported as in main, but caught (proc_catch_report) */
} UnwindFrame;

enum { UW_PANIC = 1, UW_EXIT = 2 };

typedef struct MonIn { uint64_t ref, watcher; uint32_t kind; } MonIn; /* someone monitors me; Down goes in as `kind` */
typedef struct MonOut { uint64_t ref, target; uint32_t kind; } MonOut; /* I monitor someone */

struct RegEntry;

struct Proc {
    ProcHot hot;            /* first: the evaluator's inline fields */
    uint64_t pid;
    uint8_t state;          /* ProcState */
    uint8_t wait;           /* WaitKind while PS_WAITING */
    uint8_t wake;           /* WakeReason of the last wake */
    bool queued;            /* in a run queue */
    bool paused;            /* spawned inside a paused scope, not yet released */
    bool trap_exit;         /* under lk (read by exit-signal senders) */
    _Atomic bool exit_pending; /* an exit signal (or an interrupt) waits to be acted on (set under lk) */
    bool pending_interrupt; /* under lk: what is pending is proc_interrupt's panic, not an exit */
    bool is_main;
    bool gone;              /* under lk: exit sequence started, accepts no relations/signals */
    bool daemon;            /* distribution machinery: its I/O waits do not keep the program alive */
    MtLock lk;              /* guards relations, trap_exit, gone and the pending exit */
    uint64_t wait_token;    /* token of the current blocking episode */
    /* why it waits, in Snow's words (blocked.h; set by the blocking code) */
    uint8_t why;            /* BlockedWhy */
    uint64_t why_pid;       /* the process waited on (reply, job, child) */
    const char *why_name;   /* the service's name (reply) */
    const void *why_site;   /* the `receive` node (interpreter's) */
    Ctx ctx;                /* saved context while not running */
    ProcStack stack;
    Heap *heap;             /* created when the process first runs */
    Mbox mbox;
    const char *name;       /* actor name for events / debugger (static) */
    uint64_t parent;        /* spawner's pid */
    /* start: function and arguments, still in fragments until first run */
    Value fn;
    Value *argv;
    Frag **frags;           /* argc + 2 fragments: fn, args, terminate */
    uint32_t argc;
    Value terminate;        /* closure run at exit (T_UNIT: none) */
    /* exit */
    Value reason;           /* exit reason while exiting (heap value) */
    Frag *pending_frag;     /* exit signal reason, not yet adopted */
    Value pending_reason;
    bool pending_kill;      /* the pending exit is Killed (untrappable, no terminate) */
    bool killed;            /* exiting with Killed: terminate is skipped */
    bool in_terminate;      /* running the terminate closure: the reason is fixed */
    uint8_t unwinding;      /* 0, UW_PANIC or UW_EXIT while an unwind is in flight */
    char *panic_msg;        /* message of the panic being unwound */
    UnwindFrame *unwind;    /* innermost landing frame */
    RecvWait *recv;         /* innermost receive in progress */
    /* relations (under lk) */
    uint64_t *links; uint32_t nlinks, caplinks;
    MonIn *mons_in; uint32_t nmons_in, capmons_in;
    MonOut *mons_out; uint32_t nmons_out, capmons_out;
    struct RegEntry *_Atomic reg; /* registered name (registry.c), at most one */
    Proc **paused_kids; uint32_t npaused, cappaused; /* spawned in open scopes */
    uint32_t pause_depth;   /* open paused-spawn scopes */
    /* scheduler-private */
    Proc *aw_next, *aw_prev; /* W_RECV_AFTER list, in token order */
    /* poller (poll.c): the one I/O wait a process can be in */
    Proc *iow_next, *iow_prev; /* on the PollFd's waiter list (under its lock) */
    int32_t iow_fd;          /* fd waited on */
    int16_t iow_events;      /* POLLIN / POLLOUT wanted */
    bool iow_linked;         /* on iow_fd's waiter list */
    bool exit_held;          /* proc_resumed leaves an exit signal pending (poll.c unlinks first) */
    uint64_t iow_token;      /* token of the episode the waiter is linked for */
    _Atomic int32_t io_fired; /* W_IO: readiness delivered; W_BLOCKING: the job is done */
    /* resources (handle.c, under its lock) */
    uint32_t res_head;       /* owned resources: first slot + 1, 0 = none */
    bool res_done;           /* exiting: owns nothing more */
    void *asan_fake;
    void *tsan_fiber;
    _Atomic uint64_t sword;  /* threaded scheduler: state word (token, wait kind, state) */
    _Atomic uint64_t timer_fired; /* threaded scheduler: token of its last timer that fired (after_block) */
    Proc *q_next;            /* threaded scheduler: global run queue link */
};

/* proc_hot casts a Proc * to its first member. */
_Static_assert(offsetof(struct Proc, hot) == 0, "ProcHot must be the first member of Proc");

#endif
