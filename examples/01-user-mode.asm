; 01-user-mode: the thread stack and TSS.RSP0, on an interrupt and on a system call from user mode.
;
; Every thread has a kernel stack (THREAD_SIZE, two pages). While the thread runs in user mode
; that stack is empty, and TSS.RSP0 points at its top: when an interrupt or exception arrives
; from CPL3 through a gate without an IST, the CPU loads RSP from TSS.RSP0 and SS with a null
; selector, then pushes the user's SS, RSP, RFLAGS, CS and RIP there. SYSCALL is different: the
; CPU switches nothing but CS/SS and RIP, so the entry code finds the kernel stack itself.
;
; What it does:
;   1. main (CPL0, on thread_stack) installs INT 0x80 (a DPL3 gate, so user code may use it),
;      turns SYSCALL on (EFER.SCE, STAR, LSTAR, FMASK) and IRETQs to user_code at CPL3.
;   2. user_code: `int 0x80` -> int80_entry runs at user_thread_stack_top-0x28: the five
;      quadwords of the frame, nothing else. SS is 0 in the handler.
;   3. user_code: `syscall` -> syscall_entry runs with RSP still on user_stack; it saves it and
;      loads TSS.RSP0, as Linux's entry_SYSCALL_64 does (Linux keeps both in per-CPU data and
;      uses SWAPGS to reach it). SYSRET returns to the user.
;   4. user_code: `int 0x80` with RAX = 0 asks the kernel to stop.
;
; Watch for (in VS Code: F5 on "01 user mode" in examples/.vscode/launch.json):
;   - a breakpoint on int80_entry: the Call Stack shows the interrupt frame (from CPL3); the
;     status bar and the Stacks scope name the stack RSP is on (user_thread_stack, TSS.RSP0);
;     the Segments scope shows CS = 0x8, SS = 0.
;   - a breakpoint on syscall_entry: RSP is still user_stack_top-...; step over the two MOVs and
;     watch it move to user_thread_stack_top. RCX holds the user's return RIP, R11 its RFLAGS.
;   - `kstack run --trace interrupts,stacks examples/01-user-mode.asm` prints every switch.

%define EXAMPLE_NAME "01-user-mode"
%include "lib/kernel.inc"

MSR_EFER    equ 0xC0000080
MSR_STAR    equ 0xC0000081
MSR_LSTAR   equ 0xC0000082
MSR_FMASK   equ 0xC0000084

SYM main
    SET_GATE 0x80, int80_entry, 0, GATE_INT_U
    ; SYSCALL: STAR[47:32] = kernel CS (SS = CS + 8); STAR[63:48] = 0x18, so SYSRET to 64-bit
    ; code loads CS = 0x18 + 16 = 0x28 | 3 and SS = 0x18 + 8 = 0x20 | 3.
    mov ecx, MSR_STAR
    xor eax, eax
    mov edx, (0x18 << 16) | KCODE
    wrmsr
    mov ecx, MSR_LSTAR
    mov rax, syscall_entry
    mov rdx, rax
    shr rdx, 32
    wrmsr
    mov ecx, MSR_FMASK
    mov eax, 0x47700            ; clear TF DF IF IOPL AC NT on entry (Linux's mask)
    xor edx, edx
    wrmsr
    mov ecx, MSR_EFER
    rdmsr
    or eax, 1                   ; SCE: SYSCALL/SYSRET enabled
    wrmsr
    PADDR "kernel: TSS.RSP0=", [tss + TSS_RSP0]
    PUTS 10
    PUTSLN "kernel: entering user mode"
    mov rdi, user_code
    jmp enter_user              ; does not return: user_code ends the example through int 0x80

; ---------------------------------------------------------------------------- user mode (CPL3)
SYM user_code
    mov eax, 1
    int 0x80                    ; an interrupt from user mode: the CPU switches to TSS.RSP0
SYM after_int
    syscall                     ; a system call: the CPU does not switch stacks
SYM after_syscall
    xor eax, eax
    int 0x80                    ; RAX = 0: stop

; ---------------------------------------------------------------------------- kernel entries
; int 0x80: RAX = 0 ends the example, anything else prints what the CPU did.
SYM int80_entry
    test eax, eax
    jz .stop
    mov rbp, rsp                ; RSP as the CPU left it: the frame's lowest byte
    PADDR "int 0x80: rsp at entry=", rbp
    PUTS 10
    PUTS "int 0x80: frame "
    mov rdi, rbp
    call print_frame
    PUTS 10
    mov ax, ss
    PHEX "int 0x80: ss in the handler=", rax
    PUTS 10
    iretq
.stop:
    PUTSLN "int 0x80: user asked to stop"
    xor edi, edi
    jmp exit

SYM syscall_entry
    mov [user_rsp], rsp         ; the CPU left RSP alone: it is the user's
    mov rsp, [tss + TSS_RSP0]   ; the thread's kernel stack (Linux: per-CPU top_of_stack)
    pushfq                      ; RFLAGS as SYSCALL left it (= R11 & ~FMASK)
    pop qword [entry_rflags]
    mov rbp, rsp
    PADDR "syscall: rsp at entry=", [user_rsp]
    PUTS 10
    PADDR "syscall: rcx (return rip)=", rcx
    PHEX " r11 (user rflags)=", r11
    PHEX " rflags=", [entry_rflags]
    PUTS 10
    PADDR "syscall: kernel stack loaded by the entry code=", rbp
    PUTS 10
    mov rsp, [user_rsp]         ; back to the user's stack, then SYSRET (to 64-bit code)
    o64 sysret

section .bss
user_rsp: resq 1
entry_rflags: resq 1
