/* blocked.h — what a blocked process is waiting for, in Snow's words, and
 * the deadlock report built from it.
 *
 * The code that blocks a process (a Snow `receive`, a service call, a
 * service or supervisor waiting for work, Job.await, Job.map, a supervisor
 * stopping a child) first says why with blocked_on(); proc_recv_end clears
 * it.  When main is blocked and nothing can run, the scheduler calls
 * blocked_report_deadlock(): one line naming what main waits for, then
 * every live process with its wait reason:
 *
 *   panic: deadlock: main waits for a reply from <0.1> Counter, and no process can run
 *     <0.0> main     waits for a reply from <0.1> Counter (main.snow:9:11 in main)
 *     <0.1> Counter  waits for a message matching `Stop` (counter.snow:4:5 in step)
 *
 * The interpreter supplies the Snow side through two hooks: the patterns of
 * a `receive` and a process's current source position.  The EV_BLOCK event
 * names a service call's wait `reply` (the debugger shows `waiting (reply)`). */
#ifndef SNOW_BLOCKED_H
#define SNOW_BLOCKED_H

#include <stdint.h>
#include <stdio.h>

#include "sb.h"
#include "sched.h"

typedef struct Proc Proc;

typedef enum BlockedWhy {
    BW_NONE,       /* not said: "a message" */
    BW_RECEIVE,    /* a Snow `receive`; site = its syntax node */
    BW_REPLY,      /* a service call; pid = the service, name = its name */
    BW_REQUEST,    /* a service waiting for a call or a cast */
    BW_SUPERVISE,  /* a supervisor waiting for its children to exit */
    BW_CHILD_EXIT, /* a supervisor stopping the child `pid` */
    BW_JOB,        /* Job.await / await_timeout of the job `pid` */
    BW_JOBS,       /* Job.map waiting for its jobs */
    BW_RESOURCE,   /* pwait.h: a hand-over; name = what ("a connection from a pool") */
} BlockedWhy;

/* The running process is about to block for `why`. */
void blocked_on(BlockedWhy why, uint64_t pid, const char *name, const void *site);
/* Forget the reason (the wait is over). */
void blocked_clear(Proc *p);

/* The `on` field of an EV_BLOCK event for a process blocking with `kind`. */
const char *blocked_event_label(const Proc *p, WaitKind kind);

/* What the blocked process p waits for: "a reply from <0.1> Counter", "a
 * message matching `Pong`", "the end of a Timer.sleep", ... */
void blocked_reason_text(Proc *p, SB *b);

/* Print the deadlock panic and the blocked processes (no process may run or
 * exit meanwhile: the scheduler has stopped). */
void blocked_report_deadlock(FILE *out);

/* Interpreter hooks (NULL: not described).  receive_text appends the arms
 * of the receive at `site` ("a message matching `A` or `B`"); where appends
 * the process's current Snow position ("main.snow:9:11 in main"). */
extern void (*blocked_receive_text_hook)(const void *site, SB *out);
extern void (*blocked_where_hook)(Proc *p, SB *out);

#endif
