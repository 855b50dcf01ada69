/* ctx_x86_64.S — context switch and stack-switching call for x86-64 SysV.
 * See ctx.h for the contract.  Frame saved by ctx_switch (low to high):
 *   [sp+0]  mxcsr (4 bytes) | x87 control word (2 bytes)
 *   [sp+8]  r15, r14, r13, r12, rbx, rbp
 *   [sp+56] return address
 */
#if defined(__x86_64__)
        .text

        .globl  ctx_switch
        .type   ctx_switch, @function
        .p2align 4
ctx_switch:                     /* rdi = Ctx *from, rsi = Ctx *to */
        pushq   %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        subq    $8, %rsp
        stmxcsr (%rsp)
        fnstcw  4(%rsp)
        movq    %rsp, (%rdi)
        movq    (%rsi), %rsp
        ldmxcsr (%rsp)
        fldcw   4(%rsp)
        addq    $8, %rsp
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        ret
        .size   ctx_switch, .-ctx_switch

        /* First activation of a coroutine: r12 = entry, r13 = arg. */
        .type   ctx_trampoline, @function
        .p2align 4
ctx_trampoline:
        movq    %r13, %rdi
        callq   *%r12
        ud2
        .size   ctx_trampoline, .-ctx_trampoline

        .globl  ctx_init
        .type   ctx_init, @function
        .p2align 4
ctx_init:                       /* rdi = Ctx *c, rsi = top, rdx = entry, rcx = arg */
        andq    $-16, %rsi
        movq    $0, -8(%rsi)            /* fake return address: ends unwinding */
        movq    $0, -16(%rsi)
        leaq    -80(%rsi), %rax         /* saved sp; after the final ret rsp = top-16 */
        subq    $8, %rsp
        stmxcsr (%rsp)
        fnstcw  4(%rsp)
        movq    (%rsp), %r8
        addq    $8, %rsp
        movq    %r8, 0(%rax)            /* current FP control state */
        movq    $0, 8(%rax)             /* r15 */
        movq    $0, 16(%rax)            /* r14 */
        movq    %rcx, 24(%rax)          /* r13 = arg */
        movq    %rdx, 32(%rax)          /* r12 = entry */
        movq    $0, 40(%rax)            /* rbx */
        movq    $0, 48(%rax)            /* rbp = 0: end of the frame chain */
        leaq    ctx_trampoline(%rip), %r8
        movq    %r8, 56(%rax)
        movq    %rax, (%rdi)
        ret
        .size   ctx_init, .-ctx_init

        .globl  stack_switch_call
        .type   stack_switch_call, @function
        .p2align 4
stack_switch_call:              /* rdi = fn, rsi = arg, rdx = new_sp */
        pushq   %rbp
        movq    %rsp, %rbp
        andq    $-16, %rdx
        movq    %rdx, %rsp
        movq    %rdi, %rax
        movq    %rsi, %rdi
        callq   *%rax
        movq    %rbp, %rsp
        popq    %rbp
        ret
        .size   stack_switch_call, .-stack_switch_call
#endif
#if defined(__linux__) && defined(__ELF__)
        .section .note.GNU-stack,"",%progbits
#endif
