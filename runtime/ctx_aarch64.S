/* ctx_aarch64.S — context switch and stack-switching call for AAPCS64.
 * See ctx.h for the contract.  Frame saved by ctx_switch (176 bytes):
 *   [sp+0..80)   x19..x28      [sp+80] x29 (fp)  [sp+88] x30 (lr)
 *   [sp+96..160) d8..d15       [sp+160] fpcr
 */
#if defined(__aarch64__)
        .text

        .globl  ctx_switch
        .type   ctx_switch, %function
        .p2align 4
ctx_switch:                     /* x0 = Ctx *from, x1 = Ctx *to */
        sub     sp, sp, #176
        stp     x19, x20, [sp, #0]
        stp     x21, x22, [sp, #16]
        stp     x23, x24, [sp, #32]
        stp     x25, x26, [sp, #48]
        stp     x27, x28, [sp, #64]
        stp     x29, x30, [sp, #80]
        stp     d8,  d9,  [sp, #96]
        stp     d10, d11, [sp, #112]
        stp     d12, d13, [sp, #128]
        stp     d14, d15, [sp, #144]
        mrs     x9, fpcr
        str     x9, [sp, #160]
        mov     x9, sp
        str     x9, [x0]
        ldr     x9, [x1]
        mov     sp, x9
        ldp     x19, x20, [sp, #0]
        ldp     x21, x22, [sp, #16]
        ldp     x23, x24, [sp, #32]
        ldp     x25, x26, [sp, #48]
        ldp     x27, x28, [sp, #64]
        ldp     x29, x30, [sp, #80]
        ldp     d8,  d9,  [sp, #96]
        ldp     d10, d11, [sp, #112]
        ldp     d12, d13, [sp, #128]
        ldp     d14, d15, [sp, #144]
        ldr     x9, [sp, #160]
        msr     fpcr, x9
        add     sp, sp, #176
        ret
        .size   ctx_switch, .-ctx_switch

        /* First activation of a coroutine: x19 = entry, x20 = arg. */
        .type   ctx_trampoline, %function
        .p2align 4
ctx_trampoline:
        mov     x0, x20
        blr     x19
        brk     #0
        .size   ctx_trampoline, .-ctx_trampoline

        .globl  ctx_init
        .type   ctx_init, %function
        .p2align 4
ctx_init:                       /* x0 = Ctx *c, x1 = top, x2 = entry, x3 = arg */
        and     x1, x1, #~15
        sub     x9, x1, #176
        stp     xzr, xzr, [x9, #0]
        stp     xzr, xzr, [x9, #16]
        stp     xzr, xzr, [x9, #32]
        stp     xzr, xzr, [x9, #48]
        stp     xzr, xzr, [x9, #64]
        stp     xzr, xzr, [x9, #96]
        stp     xzr, xzr, [x9, #112]
        stp     xzr, xzr, [x9, #128]
        stp     xzr, xzr, [x9, #144]
        stp     x2, x3, [x9, #0]        /* x19 = entry, x20 = arg */
        adr     x10, ctx_trampoline
        stp     xzr, x10, [x9, #80]     /* x29 = 0 (end of frame chain), x30 */
        mrs     x10, fpcr
        str     x10, [x9, #160]
        str     x9, [x0]
        ret
        .size   ctx_init, .-ctx_init

        .globl  stack_switch_call
        .type   stack_switch_call, %function
        .p2align 4
stack_switch_call:              /* x0 = fn, x1 = arg, x2 = new_sp */
        stp     x29, x30, [sp, #-16]!
        mov     x29, sp
        and     x2, x2, #~15
        mov     sp, x2
        mov     x9, x0
        mov     x0, x1
        blr     x9
        mov     sp, x29
        ldp     x29, x30, [sp], #16
        ret
        .size   stack_switch_call, .-stack_switch_call
#endif
#if defined(__linux__) && defined(__ELF__)
        .section .note.GNU-stack,"",%progbits
#endif
