; pf_gp_codes: the error codes of #PF and #GP. Each case puts its resume address in R15 and does
; one thing that faults; the handler prints the error code (decoded), CR2 and the frame, then
; resumes at R15 with IRETQ. #PF error code bits: P (0 = not present), W (write), U (CPL3),
; RSVD (reserved bit set in a paging entry), I (instruction fetch; reported when EFER.NXE=1).
; #GP error codes: 0, or a selector-style code: EXT (bit 0: during delivery of an external
; event), IDT (bit 1: the index is a vector), TI (bit 2: LDT), index (bits 15:3); a selector's
; RPL is not part of it. CR2 is written only by #PF, so #GP shows the last #PF's CR2.
%define KERNEL_NAME "pf_gp_codes"
%include "kernel.inc"

BAD_MSR     equ 0x0BADC0DE      ; outside every architectural and model-specific MSR range
BAD_VECTOR  equ 0x51            ; IDT gate with type 0 (invalid in IA-32e mode)
BAD_EXT_VECTOR equ 0x52         ; the same, reached by a fixed IPI (an external event)
RSVD_LINEAR equ 0x800000        ; 2 MiB page PD0[4], given a reserved bit (bit 13)

section .bss
alignb 4096
SYM np_page                     ; not present
    resb 4096
SYM ro_page                     ; read-only
    resb 4096
SYM nx_page                     ; no-execute
    resb 4096
SYM sup_page                    ; supervisor-only (the default for kernel pages)
    resb 4096
faults: resq 1

section .text
bits 64
; CASE "text": print "case: text" and set RFLAGS to 0x2, so every frame's RFLAGS is known
%macro CASE 1
    PUTSLN "case: ", %1
    SETFLAGS RFLAGS_FIXED
%endmacro
; NOFAULT: reached only if the case did not fault
%macro NOFAULT 0
    PUTSLN "no exception"
%endmacro

SYM kmain
    GATE 14, pf_entry, 0, GATE_INT
    GATE 13, gp_entry, 0, GATE_INT
    GATE 0x80, int80_entry, 0, GATE_INT_U
    GATE BAD_VECTOR, kmain, 0, GATE_BAD
    GATE BAD_EXT_VECTOR, kmain, 0, GATE_BAD
    call user_pages_enable
    mov edi, np_page
    xor esi, esi
    mov edx, PTE_P
    call pte_update
    mov edi, ro_page
    xor esi, esi
    mov edx, PTE_W
    call pte_update
    mov edi, nx_page
    mov rsi, PTE_NX
    xor edx, edx
    call pte_update
    mov byte [nx_page], 0xC3            ; a RET that never runs
    or qword [pd0 + 4*8], 1 << 13       ; reserved bit in the 2 MiB PDE for 0x800000
    invlpg [RSVD_LINEAR]
    PUTSLN "main: CR0.WP=1 EFER.NXE=1; np_page not present, ro_page read-only, nx_page NX"

    CASE "read of a not-present page"
    mov r15d, ..@c2
SYM pf_read_np
    mov rax, [np_page]
    NOFAULT
..@c2:
    CASE "write to a not-present page"
    mov r15d, ..@c3
SYM pf_write_np
    mov qword [np_page + 8], 1
    NOFAULT
..@c3:
    CASE "write to a read-only page (CPL0, CR0.WP=1)"
    mov r15d, ..@c4
SYM pf_write_ro
    mov qword [ro_page + 16], 1
    NOFAULT
..@c4:
    CASE "instruction fetch from a no-execute page"
    mov r15d, ..@c5
    mov eax, nx_page
    jmp rax
    NOFAULT
..@c5:
    CASE "read through a 2 MiB page whose PDE has reserved bit 13 set"
    mov r15d, ..@c6
    mov eax, RSVD_LINEAR
SYM pf_rsvd
    mov rax, [rax]
    NOFAULT
..@c6:
    PUTSLN "main: user-mode cases (CPL3): read sup_page, write sup_page, jump to kmain, read np_page, hlt"
    mov edi, user_cases
    mov esi, RFLAGS_FIXED
    call run_user

    CASE "mov ds, 0x1fb (GDT index 0x3f, beyond the GDT limit; RPL 3)"
    mov r15d, ..@g2
    mov eax, 0x1fb
SYM gp_ds_gdt_limit
    mov ds, ax
    NOFAULT
..@g2:
    CASE "mov ds, 0x0c (TI=1: the LDT, and LDTR is null)"
    mov r15d, ..@g3
    mov eax, 0x0c
SYM gp_ds_ldt
    mov ds, ax
    NOFAULT
..@g3:
    CASE "mov ds, 0x30 (the TSS descriptor: a system segment)"
    mov r15d, ..@g4
    mov eax, TSS_SEL
SYM gp_ds_tss
    mov ds, ax
    NOFAULT
..@g4:
    CASE "read of a non-canonical address (base RAX)"
    mov r15d, ..@g5
    mov rax, 0x8000000000000000
SYM gp_noncanonical
    mov rax, [rax]
    NOFAULT
..@g5:
    CASE "wrmsr to MSR 0xbadc0de (no such MSR)"
    mov r15d, ..@g6
    mov ecx, BAD_MSR
    xor eax, eax
    xor edx, edx
SYM gp_wrmsr
    wrmsr
    NOFAULT
..@g6:
    CASE "rdmsr from MSR 0xbadc0de (no such MSR)"
    mov r15d, ..@g7
    mov ecx, BAD_MSR
    xor eax, eax
    xor edx, edx
SYM gp_rdmsr
    rdmsr
    NOFAULT
..@g7:
    CASE "int 0x51 (gate type 0: invalid)"
    mov r15d, ..@g8
SYM gp_int_bad_gate
    int BAD_VECTOR
    NOFAULT
..@g8:
    CASE "fixed IPI to vector 0x52 (gate type 0: invalid), taken at sti; hlt"
    mov r15d, ..@g9
    mov edi, BAD_EXT_VECTOR
    call self_ipi
    SETFLAGS RFLAGS_FIXED
    sti
    hlt
SYM gp_ext_after_hlt
    cli
    NOFAULT
..@g9:
    cli
    mov edi, APIC_ISR0 + 0x10 * (BAD_EXT_VECTOR / 32)
    call apic_read
    bt eax, BAD_EXT_VECTOR % 32
    setc al
    movzx eax, al
    PHEX "main: APIC ISR bit for vector 0x52=", rax
    PUTSLN " (acknowledged before the IDT lookup failed); EOI"
    call apic_eoi
    PDEC "main: exceptions=", [faults]
    NEWLINE
    cmp qword [faults], 18
    jne .fail
    mov eax, EXIT_OK
    ret
.fail:
    mov eax, EXIT_FAIL
    ret

; print_pf_code(rax): " [P W U RSVD I]" for the bits set ("[-]" for none)
SYM print_pf_code
    PUTS " ["
    push rbx
    xor ebx, ebx                        ; anything printed yet
%macro PFBIT 2
    test eax, %1
    jz %%no
    test ebx, ebx
    jz %%first
    PUTS " "
%%first:
    PUTS %2
    mov ebx, 1
%%no:
%endmacro
    PFBIT 1, "P"
    PFBIT 2, "W"
    PFBIT 4, "U"
    PFBIT 8, "RSVD"
    PFBIT 16, "I"
    test ebx, ebx
    jnz .done
    PUTS "-"
.done:
    PUTS "]"
    pop rbx
    ret

; print_sel_code(rax): " [EXT IDT TI index=0x..]" ("[-]" for 0)
SYM print_sel_code
    PUTS " ["
    test rax, rax
    jnz .bits
    PUTS "-]"
    ret
.bits:
    test eax, 1
    jz .no_ext
    PUTS "EXT "
.no_ext:
    test eax, 2
    jz .no_idt
    PUTS "IDT "
.no_idt:
    test eax, 4
    jz .no_ti
    PUTS "TI "
.no_ti:
    push rax
    shr eax, 3
    PHEX "index=", rax
    pop rax
    PUTS "]"
    ret

SYM pf_entry
    SAVE_ALL
    lea rbp, [rsp + SAVE_ALL_SIZE]
    inc qword [faults]
    mov rax, [rbp]
    PHEX "pf: error=", rax
    call print_pf_code
    mov rax, cr2
    PADDR " cr2=", rax
    PADDR " rsp_at_entry=", rbp
    NEWLINE
    jmp fault_resume

SYM gp_entry
    SAVE_ALL
    lea rbp, [rsp + SAVE_ALL_SIZE]
    inc qword [faults]
    mov rax, [rbp]
    PHEX "gp: error=", rax
    call print_sel_code
    mov rax, cr2
    PADDR " cr2=", rax
    PADDR " rsp_at_entry=", rbp
    NEWLINE
    jmp fault_resume

; common tail: print the frame (after the error code), resume at the interrupted R15
SYM fault_resume
    PUTS "  "
    lea rdi, [rbp + 8]
    call print_frame
    NEWLINE
    mov rax, [rsp + 0]                  ; saved R15 (SAVE_ALL pushes it last)
    mov [rbp + 8], rax
    RESTORE_ALL
    add rsp, 8                          ; the error code
    iretq

SYM int80_entry
    jmp back_to_kernel                  ; the user part is over

section .user_text
SYM user_cases
    mov r15d, ..@u2
SYM user_read_sup
    mov rax, [sup_page]                 ; read of a supervisor page
..@u2:
    mov r15d, ..@u3
SYM user_write_sup
    mov qword [sup_page], 1             ; write to a supervisor page
..@u3:
    mov r15d, ..@u4
    mov eax, kmain
    jmp rax                             ; instruction fetch from a supervisor page
..@u4:
    mov r15d, ..@u5
SYM user_read_np
    mov rax, [np_page]                  ; read of a not-present page
..@u5:
    mov r15d, ..@u6
SYM user_hlt
    hlt                                 ; privileged instruction: #GP(0)
..@u6:
    int 0x80
