/*
 * KStack example C kernel: interrupt and exception entry stubs (gas, so that they carry CFI).
 *
 * Each stub makes the stack look the same (struct interrupt_frame in kernel.h): the CPU's frame
 * (SS, RSP, RFLAGS, CS, RIP), an error code (the CPU's, or 0), the vector, and the 15 general
 * registers; then calls interrupt_dispatch(frame) in C and returns with IRETQ.
 *
 * The CFI lets a debugger unwind from a C handler through the stub into the interrupted code:
 * the CFA is the address just above the CPU's frame, and the interrupted RIP, CS, RFLAGS, RSP and
 * SS are saved at fixed offsets below it (an explicit rule for RSP: the stack may have been
 * switched, by an IST entry). "S" marks a signal frame: the caller's RIP was interrupted, it is
 * not a return address. Every saved register has a rule, so the interrupted code's registers
 * (caller-saved ones too) are all known.
 */

/* DWARF register numbers (System V x86-64 psABI): RFLAGS 49, CS 51, SS 52. */
#define DW_RFLAGS 49
#define DW_CS 51
#define DW_SS 52

/* The CPU's frame, relative to the CFA (the slot above SS). */
.macro CPU_FRAME_CFI
	.cfi_signal_frame
	.cfi_offset %rip, -40
	.cfi_offset DW_CS, -32
	.cfi_offset DW_RFLAGS, -24
	.cfi_offset %rsp, -16
	.cfi_offset DW_SS, -8
.endm

/* Vectors without an error code: push a 0 in its place. */
.macro ISR_NOERR n
	.globl isr\n
	.type isr\n, @function
isr\n:
	.cfi_startproc simple
	.cfi_def_cfa %rsp, 40
	CPU_FRAME_CFI
	pushq $0
	.cfi_adjust_cfa_offset 8
	pushq $\n
	.cfi_adjust_cfa_offset 8
	jmp isr_common
	.cfi_endproc
	.size isr\n, . - isr\n
.endm

/* Vectors with an error code pushed by the CPU. */
.macro ISR_ERR n
	.globl isr\n
	.type isr\n, @function
isr\n:
	.cfi_startproc simple
	.cfi_def_cfa %rsp, 48
	CPU_FRAME_CFI
	pushq $\n
	.cfi_adjust_cfa_offset 8
	jmp isr_common
	.cfi_endproc
	.size isr\n, . - isr\n
.endm

.macro SAVE reg
	pushq %\reg
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %\reg, 0
.endm

.macro RESTORE reg
	popq %\reg
	.cfi_adjust_cfa_offset -8
	.cfi_restore %\reg
.endm

	.text
	.globl isr_common
	.type isr_common, @function
isr_common:
	/* here: [rsp] = vector, [rsp+8] = error code, [rsp+16] = RIP ... [rsp+48] = SS */
	.cfi_startproc simple
	.cfi_def_cfa %rsp, 56
	CPU_FRAME_CFI
	SAVE rax
	SAVE rbx
	SAVE rcx
	SAVE rdx
	SAVE rsi
	SAVE rdi
	SAVE rbp
	SAVE r8
	SAVE r9
	SAVE r10
	SAVE r11
	SAVE r12
	SAVE r13
	SAVE r14
	SAVE r15
	cld
	movq %rsp, %rdi			/* struct interrupt_frame * */
	call interrupt_dispatch
	RESTORE r15
	RESTORE r14
	RESTORE r13
	RESTORE r12
	RESTORE r11
	RESTORE r10
	RESTORE r9
	RESTORE r8
	RESTORE rbp
	RESTORE rdi
	RESTORE rsi
	RESTORE rdx
	RESTORE rcx
	RESTORE rbx
	RESTORE rax
	addq $16, %rsp			/* vector and error code */
	.cfi_adjust_cfa_offset -16
	iretq
	.cfi_endproc
	.size isr_common, . - isr_common

/* Exceptions 0-31 (8, 10-14, 17, 21, 29, 30 push an error code) and IRQs 32-47. */
ISR_NOERR 0
ISR_NOERR 1
ISR_NOERR 2
ISR_NOERR 3
ISR_NOERR 4
ISR_NOERR 5
ISR_NOERR 6
ISR_NOERR 7
ISR_ERR 8
ISR_NOERR 9
ISR_ERR 10
ISR_ERR 11
ISR_ERR 12
ISR_ERR 13
ISR_ERR 14
ISR_NOERR 15
ISR_NOERR 16
ISR_ERR 17
ISR_NOERR 18
ISR_NOERR 19
ISR_NOERR 20
ISR_ERR 21
ISR_NOERR 22
ISR_NOERR 23
ISR_NOERR 24
ISR_NOERR 25
ISR_NOERR 26
ISR_NOERR 27
ISR_NOERR 28
ISR_ERR 29
ISR_ERR 30
ISR_NOERR 31
ISR_NOERR 32
ISR_NOERR 33
ISR_NOERR 34
ISR_NOERR 35
ISR_NOERR 36
ISR_NOERR 37
ISR_NOERR 38
ISR_NOERR 39
ISR_NOERR 40
ISR_NOERR 41
ISR_NOERR 42
ISR_NOERR 43
ISR_NOERR 44
ISR_NOERR 45
ISR_NOERR 46
ISR_NOERR 47

	.section .note.GNU-stack, "", @progbits

/* The stub addresses, in vector order, for entry.asm to build the IDT from. */
	.section .rodata
	.align 8
	.globl isr_table
isr_table:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
	.quad isr\n
	.endr
