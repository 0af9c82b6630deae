; syscall_sysret: SYSCALL from CPL3 and SYSRET back. SYSCALL loads CS/SS from STAR[47:32]
; (0x08, 0x10), RIP from LSTAR, saves the return RIP in RCX and RFLAGS in R11, clears the RFLAGS
; bits set in FMASK, and does not touch RSP: the entry code starts on the user's stack. Like
; Linux, it runs SWAPGS to reach the per-CPU area (IA32_KERNEL_GS_BASE <-> GS base), saves the
; user RSP there and loads the thread's kernel stack from it. SYSRET (REX.W) returns to RCX with
; RFLAGS from R11 and CS = STAR[63:48]+16 | 3 = 0x2b, SS = STAR[63:48]+8 | 3 = 0x23.
%define KERNEL_NAME "syscall_sysret"
%include "kernel.inc"

STAR_VALUE  equ (UCODE32 << 48) | (KCODE << 32)
FMASK_VALUE equ 0x47700             ; TF DF IF IOPL NT AC (as Linux)
; per-CPU area
PCPU_SELF       equ 0
PCPU_KERNEL_RSP equ 8
PCPU_USER_RSP   equ 16

section .bss
alignb 64
SYM percpu
    resb 64
syscalls: resq 1

section .text
bits 64
SYM kmain
    call user_pages_enable
    mov ecx, MSR_EFER
    call rdmsr64
    or eax, EFER_SCE
    call wrmsr64
    mov ecx, MSR_STAR
    mov rax, STAR_VALUE
    call wrmsr64
    mov ecx, MSR_LSTAR
    mov eax, syscall_entry
    call wrmsr64
    mov ecx, MSR_FMASK
    mov eax, FMASK_VALUE
    call wrmsr64
    mov eax, percpu
    mov [percpu + PCPU_SELF], rax
    mov eax, rsp0_top
    mov [percpu + PCPU_KERNEL_RSP], rax
    mov ecx, MSR_KERNEL_GS_BASE
    mov eax, percpu
    call wrmsr64
    mov ecx, MSR_GS_BASE
    xor eax, eax
    call wrmsr64
    mov ecx, MSR_STAR
    call rdmsr64
    PHEX "main: star=", rax
    mov ecx, MSR_LSTAR
    call rdmsr64
    PADDR " lstar=", rax
    mov ecx, MSR_FMASK
    call rdmsr64
    PHEX " fmask=", rax
    mov ecx, MSR_EFER
    call rdmsr64
    PHEX " efer=", rax
    NEWLINE
    mov ecx, MSR_KERNEL_GS_BASE
    call rdmsr64
    PADDR "main: kernel_gs_base=", rax
    PADDR " percpu.kernel_rsp=", [percpu + PCPU_KERNEL_RSP]
    NEWLINE
    PUTSLN "main: iretq to CPL3 at user_main, rflags=0x202"
    mov edi, user_main
    mov esi, RFLAGS_FIXED | RFLAGS_IF
    call run_user
    PDEC "main: back at CPL0 after ", [syscalls]
    PUTSLN " system calls"
    cmp qword [syscalls], 3
    jne .fail
    mov eax, EXIT_OK
    ret
.fail:
    mov eax, EXIT_FAIL
    ret

SYM syscall_entry
    swapgs
    mov [gs:PCPU_USER_RSP], rsp
    mov rsp, [gs:PCPU_KERNEL_RSP]
SYM syscall_on_kernel_stack
    push qword [gs:PCPU_USER_RSP]
    SAVE_ALL
    mov rbp, rsp
    pushfq                              ; RFLAGS as SYSCALL left it (FMASK applied)
    pop r12
    inc qword [syscalls]
    PHEX "syscall: rax=", rax
    PADDR " rsp_at_entry=", [gs:PCPU_USER_RSP]
    PUTSLN " (the user's: SYSCALL does not switch stacks)"
    PADDR "syscall: rcx=", rcx
    PHEX " r11=", r11
    PHEX " rflags_at_entry=", r12
    mov bx, cs
    movzx ebx, bx
    PHEX " cs=", rbx
    mov bx, ss
    movzx ebx, bx
    PHEX " ss=", rbx
    NEWLINE
    mov ecx, MSR_GS_BASE
    call rdmsr64
    PADDR "syscall: after swapgs gs_base=", rax
    mov ecx, MSR_KERNEL_GS_BASE
    call rdmsr64
    PHEX " kernel_gs_base=", rax
    lea rbx, [rbp + SAVE_ALL_SIZE + 8]
    PADDR " kernel stack top=", rbx
    NEWLINE
    mov rax, [rbp + SAVE_ALL_SIZE - 8]  ; saved RAX: the system call number
    cmp rax, 1
    je .args
    cmp rax, 2
    je .user_state
    jmp back_to_kernel                  ; 3: the user part is over
.args:
    PHEX "syscall 1: rdi=", [rbp + SAVE_ALL_SIZE - 6*8]
    PHEX " rsi=", [rbp + SAVE_ALL_SIZE - 5*8]
    PHEX " rdx=", [rbp + SAVE_ALL_SIZE - 4*8]
    PHEX " r10=", [rbp + SAVE_ALL_SIZE - 10*8]
    NEWLINE
    jmp .return
.user_state:
    PUTS "syscall 2: user state after sysret:"
    PHEX " rflags=", [rbp + SAVE_ALL_SIZE - 6*8]
    PHEX " cs=", [rbp + SAVE_ALL_SIZE - 5*8]
    PHEX " ss=", [rbp + SAVE_ALL_SIZE - 4*8]
    PADDR " rsp=", [rbp + SAVE_ALL_SIZE - 10*8]
    NEWLINE
.return:
    PUTSLN "syscall: swapgs; sysretq"
    RESTORE_ALL
    pop rsp                             ; the user's RSP
    swapgs
    o64 sysret

section .user_text
SYM user_main
    mov edi, 0x1111
    mov esi, 0x2222
    mov edx, 0x3333
    mov r10d, 0x4444
    mov eax, 1
    stc                                 ; CF=1: R11 shows it
SYM user_syscall1
    syscall
SYM user_after_syscall1
    pushfq
    pop rdi
    mov esi, cs
    mov edx, ss
    mov r10, rsp
    mov eax, 2
    syscall
    mov eax, 3
    syscall
    jmp user_main                       ; not reached
