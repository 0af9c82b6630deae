; mc_injected: a machine check, delivered on its own IST stack (IST5; Linux: MCE_STACK). A guest
; cannot raise a real #MC itself (INT 18 would be a software interrupt: no MCA state), so this
; kernel enables machine-check reporting (CR4.MCE, IA32_MCG_CTL and every bank's MCi_CTL all
; ones), prints the marker line `mc: waiting` and spins on the single instruction
; `mc_wait: jmp mc_wait` until someone injects one:
;   QEMU: monitor command  mce 0 1 0xb200000000000000 0x5 0x12345000 0
;         (CPU 0, bank 1, MC1_STATUS = VAL UC EN PCC, MCG_STATUS = RIPV MCIP,
;          MC1_ADDR = 0x12345000, MC1_MISC = 0)
;   KStack: the same values, injected by the debugger / `kstack run`
; The handler prints the frame (the saved RIP is mc_wait, whenever the #MC comes), MCG_STATUS and
; bank 1's STATUS and ADDR, clears them (MCIP must be cleared, or a second #MC shuts the CPU
; down), and resumes after the loop.
%define KERNEL_NAME "mc_injected"
%include "kernel.inc"

MCG_CTL_P   equ 1 << 8
MC_BANK     equ 1

section .bss
mc_count: resq 1

section .text
bits 64
SYM kmain
    GATE 18, mc_entry, 5, GATE_INT      ; #MC on IST5
    mov ecx, MSR_MCG_CAP
    call rdmsr64
    mov rbx, rax
    test ebx, MCG_CTL_P
    jz .no_ctl
    mov ecx, MSR_MCG_CTL
    mov rax, -1
    call wrmsr64
.no_ctl:
    movzx ebx, bl                       ; number of banks
    xor r12d, r12d
.banks:
    cmp r12d, ebx
    jae .banks_done
    lea ecx, [MSR_MC0_CTL + r12*4]
    mov rax, -1
    call wrmsr64
    inc r12d
    jmp .banks
.banks_done:
    cmp ebx, MC_BANK
    jbe mc_fail                         ; no bank 1
    mov rax, cr4
    or eax, CR4_MCE
    mov cr4, rax
    PHEX "main: cr4=", rax
    PADDR " tss.ist5=", [tss + TSS_IST(5)]
    mov rbx, rsp
    PADDR " rsp=", rbx
    NEWLINE
    PUTSLN "mc: waiting"
    SETFLAGS RFLAGS_FIXED
SYM mc_wait
    jmp mc_wait
SYM after_mc
    PDEC "main: resumed after ", [mc_count]
    PUTSLN " machine check"
    cmp qword [mc_count], 1
    jne mc_fail
    mov eax, EXIT_OK
    ret
SYM mc_fail
    mov eax, EXIT_FAIL
    ret

SYM mc_entry
    SAVE_ALL
    lea rbp, [rsp + SAVE_ALL_SIZE]
    inc qword [mc_count]
    PADDR "mc: rsp_at_entry=", rbp
    PUTSLN " ist=5"
    PUTS "mc: "
    mov rdi, rbp
    call print_frame
    NEWLINE
    mov ecx, MSR_MCG_STATUS
    call rdmsr64
    PHEX "mc: mcg_status=", rax
    mov ecx, MSR_MC0_CTL + 4*MC_BANK + 1
    call rdmsr64
    PHEX " mc1_status=", rax
    mov ecx, MSR_MC0_CTL + 4*MC_BANK + 2
    call rdmsr64
    PHEX " mc1_addr=", rax
    NEWLINE
    mov ecx, MSR_MC0_CTL + 4*MC_BANK + 1
    xor eax, eax
    call wrmsr64
    mov ecx, MSR_MCG_STATUS
    call wrmsr64
    mov qword [rbp], after_mc
    PUTSLN "mc: status cleared, MCIP cleared; resuming at after_mc"
    RESTORE_ALL
    iretq
