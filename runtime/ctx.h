/* ctx.h — hand-written coroutine context switch (x86-64 SysV, aarch64 AAPCS64).
 *
 * A Ctx is just the saved stack pointer of a suspended coroutine: ctx_switch
 * pushes the callee-saved registers (and the FP control words) on the current
 * stack, stores sp into *from, loads sp from *to, pops and returns there.
 * Caller-saved registers need no saving: ctx_switch is an ordinary call.
 *
 * Invariants:
 *  - A Ctx that is switched *to* was filled either by ctx_switch (suspended
 *    coroutine) or by ctx_init (fresh coroutine); switching to a running
 *    coroutine's Ctx is undefined.
 *  - Stack tops passed to ctx_init / stack_switch_call are 16-byte aligned.
 *  - An entry function started by ctx_init never returns (it must switch
 *    away for the last time instead); returning traps (ud2 / brk).
 *
 * Implementations: ctx_x86_64.S and ctx_aarch64.S (each guarded by its
 * architecture, so both sit in the tree and only one assembles to code).
 */
#ifndef SNOW_CTX_H
#define SNOW_CTX_H

typedef struct Ctx {
    void *sp; /* saved stack pointer of a suspended coroutine */
} Ctx;

/* Save the current coroutine into *from and resume *to. Returns when some
 * coroutine switches back to *from. */
void ctx_switch(Ctx *from, Ctx *to);

/* Prepare *c so that the first ctx_switch to it calls entry(arg) on the
 * stack whose (exclusive, 16-aligned) top is stack_top. */
void ctx_init(Ctx *c, void *stack_top, void (*entry)(void *), void *arg);

/* Call fn(arg) with the stack pointer set to new_sp (16-aligned top of
 * another stack region) and return its result on the original stack.
 * Used to continue deep recursion on a fresh stack segment (stack.c). */
void *stack_switch_call(void *(*fn)(void *), void *arg, void *new_sp);

#endif
