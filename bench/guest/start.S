/* Entry of the benchmark guest: the flat binary is loaded at 0x100000 and entered here in the
 * emulator's direct 64-bit state (CPL0, paging on, RSP set by the host). Calls
 * workload_main(MAILBOX_ADDR) and halts. */
#include "workload.h"

        .section .text.start, "ax"
        .globl _start
_start:
        mov $MAILBOX_ADDR, %edi
        and $-16, %rsp
        call workload_main
1:      hlt
        jmp 1b

        .section .note.GNU-stack, "", @progbits
