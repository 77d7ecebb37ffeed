/* virt_start.S -- reset entry of the RV32 test image (QEMU virt, -bios
 * none): stack, global pointer, .bss, trap vector, then board_main(). */
    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    la sp, __stack_top
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sw zero, 0(t0)
    addi t0, t0, 4
    j 1b
2:  la t0, trap_entry
    csrw mtvec, t0          /* direct mode: every trap goes to trap_entry */
    call main
    call _exit              /* main's result is the exit status */
3:  j 3b
