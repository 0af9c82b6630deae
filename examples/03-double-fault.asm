; 03-double-fault: a kernel stack overflow ends on the DOUBLEFAULT_STACK (IST2).
;
; The note: #DF is "invoked when handling one exception causes another exception. Happens when
; the kernel is very confused (e.g. kernel stack pointer corrupt). Using a separate stack allows
; the kernel to recover from it well enough in many cases to still output an oops."
;
; What it does:
;   1. main maps the first 2 MiB with 4 KiB pages (KStack's direct entry maps 2 MiB pages) and
;      leaves thread_stack_guard, the page just below the 8 KiB thread stack, unmapped.
;   2. recurse calls itself until its CALL pushes into the guard page: #PF (vector 14).
;   3. The #PF gate has no IST (as in Linux), so the CPU pushes the #PF frame on the same stack,
;      into the same unmapped page: a #PF while delivering a #PF is a double fault (SDM Vol. 3,
;      6.15, interrupt 8: page fault followed by page fault).
;   4. The #DF gate uses IST2: the CPU loads RSP from TSS.IST2 whatever the old RSP was, so the
;      handler runs and can print its "oops": error code 0, the faulting CALL, CR2 in the guard.
;
; Watch for (F5 on "03 double fault"; it stops on #DF, see stopOnExceptions):
;   - the stop on #DF: RSP is at thread_stack_bottom (the stack is full); Continue to the handler.
;   - a breakpoint on df_handler: RSP = doublefault_stack_top-0x30 (five quadwords and the error
;     code); the frame's RIP is the CALL in recurse that could not push its return address.
;   - Watch `[depth]`: how many calls the 8 KiB stack held.

%define EXAMPLE_NAME "03-double-fault"
%include "lib/kernel.inc"

PTE_P   equ 1
PTE_W   equ 2

SYM main
    SET_GATE 14, pf_handler, 0, GATE_INT    ; #PF: no IST (runs on the current stack)
    SET_GATE 8, df_handler, 2, GATE_INT     ; #DF: IST2, the double-fault stack
    call map_guard_page_out
    PADDR "thread stack: ", qword thread_stack_bottom
    PADDR " .. ", qword thread_stack_top
    PUTS 10
    PADDR "guard page (not mapped): ", qword thread_stack_guard
    PUTS 10
    PUTSLN "recursing..."
    SET_RFLAGS 0x2
SYM recurse
    inc qword [depth]
    call recurse                ; never returns: each call pushes 8 bytes
    ; (not reached)

; #PF: not expected to run: its frame cannot be pushed.
SYM pf_handler
    PUTSLN "#PF handler: ran (it should not have)"
    mov edi, 1
    jmp exit

; #DF: [rsp] = error code (always 0), then RIP CS RFLAGS RSP SS.
SYM df_handler
    mov rbp, rsp
    PUTSLN "#DF (double fault)"
    PADDR "#DF: rsp at entry=", rbp
    PHEX " error=", [rbp]
    PUTS 10
    PUTS "#DF: frame "
    lea rdi, [rbp + 8]
    call print_frame
    PUTS 10
    mov rax, cr2
    PADDR "#DF: cr2=", rax
    mov rdx, thread_stack_bottom
    sub rdx, rax
    PHEX " (thread_stack_bottom-", rdx
    PUTS ")", 10
    PDEC "#DF: depth=", [depth]
    PUTS 10
    PUTSLN "#DF: oops: kernel stack overflow"
    xor edi, edi                ; the example did what it shows: exit 0
    jmp exit

; Replace the 2 MiB page at 0 with a page table of 4 KiB pages (identity), without the guard.
map_guard_page_out:
    mov rax, cr3                ; PML4
    and rax, ~0xFFF
    mov rax, [rax]              ; PML4[0] -> PDPT
    and rax, ~0xFFF
    mov rax, [rax]              ; PDPT[0] -> page directory of the first GiB
    and rax, ~0xFFF
    mov rbx, rax
    xor ecx, ecx
.fill:
    mov rdx, rcx
    shl rdx, 12
    or rdx, PTE_P | PTE_W
    mov [page_table + rcx*8], rdx
    inc ecx
    cmp ecx, 512
    jne .fill
    mov rax, thread_stack_guard
    shr rax, 12
    mov qword [page_table + rax*8], 0       ; the guard page: not present
    mov rax, page_table
    or rax, PTE_P | PTE_W
    mov [rbx], rax              ; PD[0] -> page_table (instead of a 2 MiB page)
    mov rax, cr3
    mov cr3, rax                ; flush the TLB
    ret

section .bss
alignb 4096
page_table: resq 512
depth: resq 1
