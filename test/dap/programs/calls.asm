; The debug adapter's main test program: calls three levels deep with frame pointers, a loop
; calling a leaf without one, data in memory. Tests find lines by their `@marker` comments.
bits 64
org 0x100000

global _start
_start:
    mov rsp, stack_top          ; @entry
    xor ecx, ecx
    mov rbx, 5

again:
    call add_one                ; @call-add-one
    dec rbx                     ; @after-call
    jnz again

    mov [result], rcx           ; @store
    call outer                  ; @call-outer
    mov rdx, [result]           ; @after-outer
done:
    hlt                         ; @done
    jmp done

; rcx += 1 (a leaf: no frame pointer)
add_one:
    inc rcx                     ; @add-one
    ret                         ; @add-one-ret

outer:
    push rbp                    ; @outer
    mov rbp, rsp
    call middle                 ; @call-middle
    pop rbp
    ret

middle:
    push rbp
    mov rbp, rsp
    call inner                  ; @call-inner
    pop rbp
    ret

inner:
    push rbp                    ; @inner
    mov rbp, rsp
    mov rax, 0x1234             ; @inner-body
    add qword [counter], 1      ; @inner-count
    pop rbp
    ret

align 8
result:  dq 0
counter: dq 0
message: db "hello", 0

; nothing after this line produces code
section .bss
    resb 8192
stack_top:
