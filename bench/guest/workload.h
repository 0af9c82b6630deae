/*
 * KStack benchmark workload: the interface between a host and the kernels in workload.c.
 *
 * The same workload.c runs in two places:
 *   - in the emulator, as a flat binary loaded at 0x100000 (start.S calls workload_main with the
 *     mailbox at MAILBOX_ADDR, then halts);
 *   - natively, linked into native/host.c, with the mailbox in an ordinary variable.
 *
 * Mailbox layout (all little-endian, byte offsets):
 *     0  u64 magic           host writes MAILBOX_MAGIC_IN, guest writes MAILBOX_MAGIC_DONE at the end
 *     8  u32 iters[8]        iterations per kernel (0 = kernel not run)
 *    40  u32 value[8]        what the kernel computed in its last iteration (primes found, CRC, ...)
 *    72  u32 checksum[8]     every iteration's result folded together (FNV-1a style)
 *   104  u32 errors          failed self-checks (a kernel that checks its own result, e.g. the table
 *                            CRC against the bitwise CRC or the sort against sortedness)
 *   108  u32 reserved
 * Everything here is mirrored in bench/workload.ts; keep the two in step.
 */
#ifndef KSTACK_BENCH_WORKLOAD_H
#define KSTACK_BENCH_WORKLOAD_H

#define MAILBOX_ADDR 0x80000

#ifndef __ASSEMBLER__
typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;

#define MAILBOX_MAGIC_IN 0x4e49584f424c494dULL   /* "MILBOXIN" */
#define MAILBOX_MAGIC_DONE 0x454e4f44484e4542ULL /* "BENHDONE" */

enum {
  K_SIEVE = 0, /* sieve of Eratosthenes over odd numbers, bitmap, popcount */
  K_CRC = 1,   /* CRC-32 of a PRNG buffer, table-driven and bitwise, compared */
  K_SORT = 2,  /* quicksort + insertion sort of a PRNG array, checked sorted */
  K_MEM = 3,   /* memset/memcpy/memmove/memcmp-like byte and qword loops, rep movsb/stosq */
  K_HASH = 4,  /* open-addressing hash table: inserts and lookups */
  K_COUNT = 5
};

struct mailbox {
  u64 magic;
  u32 iters[8];
  u32 value[8];
  u32 checksum[8];
  u32 errors;
  u32 reserved;
};

void workload_main(struct mailbox *mb);
#endif

#endif
