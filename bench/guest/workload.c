/*
 * KStack benchmark workload: plain integer kernels, freestanding (no libc, no SSE).
 *
 * Each kernel is a noinline function placed in its own section .text.hot.<name>, and each kernel's
 * buffers live in their own section .kdata.<name>. The linker script decides where they go:
 *   - separate.ld puts every kernel's code on its own page(s) and all buffers on other pages;
 *   - samepage.ld puts each kernel's buffers right after its code, on the same 4 KiB page
 *     (the script asserts it), so every store the kernel makes hits a page that holds code.
 * The machine code of the kernels is the same in both builds; only the addresses differ.
 *
 * Every kernel is deterministic and specified exactly (see bench/reference.ts, a straightforward
 * TypeScript reimplementation used to check the emulator's results).
 */
#include "workload.h"

#define HOT(name) __attribute__((noinline, section(".text.hot." #name)))
#define HOTDATA(name) __attribute__((section(".kdata." #name), aligned(64)))

#define FNV_BASIS 0x811c9dc5u
#define FNV_PRIME 0x01000193u

static inline u32 mix(u32 h, u32 v) { return (h ^ v) * FNV_PRIME; }

static inline u32 xorshift32(u32 x) {
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return x;
}

/* ---------------------------------------------------------------------------------------------
 * Sieve of Eratosthenes over the odd numbers: bit i of the map stands for 2i+1, set = composite.
 * Iteration `it` counts the primes below limit = 32768 - 2*(it & 255).
 */
#define SIEVE_BITS 16384
static u32 sieve_map[SIEVE_BITS / 32] HOTDATA(sieve);

HOT(sieve) static u32 sieve_count(u32 limit) {
  u32 nbits = limit / 2;
  u32 nwords = (nbits + 31) / 32;
  for (u32 w = 0; w < nwords; w++) sieve_map[w] = 0;
  sieve_map[0] = 1; /* 1 is not a prime */
  for (u32 i = 1;; i++) {
    u32 p = 2 * i + 1;
    if (p * p >= limit) break;
    if (sieve_map[i >> 5] & (1u << (i & 31))) continue;
    for (u32 j = (p * p) >> 1; j < nbits; j += p) sieve_map[j >> 5] |= 1u << (j & 31);
  }
  u32 count = 1; /* the prime 2 */
  for (u32 w = 0; w < nwords; w++) {
    u32 x = ~sieve_map[w];
    u32 rest = nbits - w * 32;
    if (rest < 32) x &= (1u << rest) - 1;
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0f0f0f0fu;
    x = x + (x >> 8);
    x = x + (x >> 16);
    count += x & 0x3f;
  }
  return count;
}

HOT(sieve) static u32 run_sieve(u32 iters, u32 *value) {
  u32 h = FNV_BASIS, count = 0;
  for (u32 it = 0; it < iters; it++) {
    count = sieve_count(32768 - 2 * (it & 255));
    h = mix(h, count);
  }
  *value = count;
  return h;
}

/* ---------------------------------------------------------------------------------------------
 * CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320, init and final xor 0xFFFFFFFF), computed
 * table-driven and bit by bit; the two must agree. Iteration `it` fills the 1 KiB buffer from the
 * PRNG (4 bytes per step, little-endian) and takes the CRC of its first 1024 - (it & 15) bytes.
 */
#define CRC_POLY 0xedb88320u
#define CRC_BUF 1024
static u32 crc_table[256] HOTDATA(crc);
static u8 crc_buf[CRC_BUF] HOTDATA(crc);

HOT(crc) static void crc_init(void) {
  for (u32 n = 0; n < 256; n++) {
    u32 c = n;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (CRC_POLY & -(c & 1));
    crc_table[n] = c;
  }
}

HOT(crc) static u32 crc_by_table(const u8 *p, u32 n) {
  u32 c = 0xffffffffu;
  for (u32 i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return ~c;
}

HOT(crc) static u32 crc_by_bits(const u8 *p, u32 n) {
  u32 c = 0xffffffffu;
  for (u32 i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (CRC_POLY & -(c & 1));
  }
  return ~c;
}

HOT(crc) static u32 run_crc(u32 iters, u32 *value, u32 *errors) {
  static const u8 check[9] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  crc_init();
  if (crc_by_table(check, 9) != 0xcbf43926u) ++*errors;
  if (crc_by_bits(check, 9) != 0xcbf43926u) ++*errors;
  u32 h = FNV_BASIS, c1 = 0, x = 0x2545f491u;
  for (u32 it = 0; it < iters; it++) {
    for (u32 i = 0; i < CRC_BUF; i += 4) {
      x = xorshift32(x);
      crc_buf[i] = (u8)x;
      crc_buf[i + 1] = (u8)(x >> 8);
      crc_buf[i + 2] = (u8)(x >> 16);
      crc_buf[i + 3] = (u8)(x >> 24);
    }
    u32 n = CRC_BUF - (it & 15);
    c1 = crc_by_table(crc_buf, n);
    u32 c2 = crc_by_bits(crc_buf, n);
    if (c1 != c2) ++*errors;
    h = mix(h, c1);
  }
  *value = c1;
  return h;
}

/* ---------------------------------------------------------------------------------------------
 * Sort 512 u32 from the PRNG (odd iterations masked to 10 bits: many duplicates) with quicksort
 * (median of three, Hoare partition, recursion on the smaller side) finished by insertion sort.
 * Result per iteration: sum of a[i] * (i + 1) mod 2^32. Value: the median a[256].
 */
#define SORT_N 512
static u32 sort_a[SORT_N] HOTDATA(sort);

HOT(sort) static void insertion_sort(u32 *a, int lo, int hi) {
  for (int i = lo + 1; i <= hi; i++) {
    u32 v = a[i];
    int j = i - 1;
    while (j >= lo && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

HOT(sort) static void quicksort(u32 *a, int lo, int hi) {
  while (hi - lo > 16) {
    int mid = lo + ((hi - lo) >> 1);
    u32 t;
    if (a[mid] < a[lo]) { t = a[mid]; a[mid] = a[lo]; a[lo] = t; }
    if (a[hi] < a[lo]) { t = a[hi]; a[hi] = a[lo]; a[lo] = t; }
    if (a[hi] < a[mid]) { t = a[hi]; a[hi] = a[mid]; a[mid] = t; }
    u32 pivot = a[mid];
    int i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        t = a[i]; a[i] = a[j]; a[j] = t;
        i++;
        j--;
      }
    }
    if (j - lo < hi - i) {
      quicksort(a, lo, j);
      lo = i;
    } else {
      quicksort(a, i, hi);
      hi = j;
    }
  }
  insertion_sort(a, lo, hi);
}

HOT(sort) static u32 run_sort(u32 iters, u32 *value, u32 *errors) {
  u32 h = FNV_BASIS, x = 0x6c078965u;
  for (u32 it = 0; it < iters; it++) {
    u32 mask = (it & 1) ? 0x3ffu : 0xffffffffu;
    for (int i = 0; i < SORT_N; i++) {
      x = xorshift32(x);
      sort_a[i] = x & mask;
    }
    quicksort(sort_a, 0, SORT_N - 1);
    u32 s = 0;
    for (int i = 0; i < SORT_N; i++) {
      if (i > 0 && sort_a[i - 1] > sort_a[i]) ++*errors;
      s += sort_a[i] * (u32)(i + 1);
    }
    h = mix(h, s);
  }
  *value = sort_a[SORT_N / 2];
  return h;
}

/* ---------------------------------------------------------------------------------------------
 * memset/memcpy/memmove/memcmp-like loops over two 1 KiB buffers, byte and qword at a time, plus
 * rep stosq and rep movsb. The steps of iteration `it` (sb/db: the buffers as bytes):
 *   1. sb[i] = (i * 7 + it) & 0xff                              for i < 1024
 *   2. x = xorshift(x); src[i] ^= (x << 32) | (x ^ 0x5bd1e995)  for i < 128 (qwords)
 *   3. dst[i] = 0x0101010101010101 * (it & 0xff)                for i < 128
 *   4. db[i + (it & 3)] = sb[i + (it & 7)]                      for i < 1000 - (it & 63)
 *   5. dst[64 + i] = src[i]                                     for i < 64
 *   6. db[i] = db[i - 5]                                        for i = 1023 down to 5
 *   7. diff = number of i < 1024 with sb[i] != db[i]
 *   8. rep stosq: dst[96..128) = src[it & 127]; rep movsb: db[301..501) = sb[13..213)
 *   9. fold diff, then both halves of every dst qword (low first) into the checksum
 * Value: diff of the last iteration.
 */
#define MEM_Q 128
static u64 mem_src[MEM_Q] HOTDATA(mem);
static u64 mem_dst[MEM_Q] HOTDATA(mem);

HOT(mem) static u32 run_mem(u32 iters, u32 *value) {
  u8 *sb = (u8 *)mem_src, *db = (u8 *)mem_dst;
  u32 h = FNV_BASIS, x = 0x1b873593u, diff = 0;
  for (u32 it = 0; it < iters; it++) {
    for (u32 i = 0; i < MEM_Q * 8; i++) sb[i] = (u8)(i * 7 + it);
    for (u32 i = 0; i < MEM_Q; i++) {
      x = xorshift32(x);
      mem_src[i] ^= ((u64)x << 32) | (x ^ 0x5bd1e995u);
    }
    u64 fill = 0x0101010101010101ull * (it & 0xff);
    for (u32 i = 0; i < MEM_Q; i++) mem_dst[i] = fill;
    u32 n = 1000 - (it & 63), so = it & 7, d = it & 3;
    for (u32 i = 0; i < n; i++) db[i + d] = sb[i + so];
    for (u32 i = 0; i < MEM_Q / 2; i++) mem_dst[MEM_Q / 2 + i] = mem_src[i];
    for (u32 i = MEM_Q * 8 - 1; i >= 5; i--) db[i] = db[i - 5];
    diff = 0;
    for (u32 i = 0; i < MEM_Q * 8; i++) diff += sb[i] != db[i];
    {
      u64 *dq = &mem_dst[96];
      u64 cnt = 32, v = mem_src[it & 127];
      __asm__ volatile("rep stosq" : "+D"(dq), "+c"(cnt) : "a"(v) : "memory");
      u8 *dp = db + 301;
      const u8 *sp = sb + 13;
      cnt = 200;
      __asm__ volatile("rep movsb" : "+D"(dp), "+S"(sp), "+c"(cnt) : : "memory");
    }
    h = mix(h, diff);
    for (u32 i = 0; i < MEM_Q; i++) {
      h = mix(h, (u32)mem_dst[i]);
      h = mix(h, (u32)(mem_dst[i] >> 32));
    }
  }
  *value = diff;
  return h;
}

/* ---------------------------------------------------------------------------------------------
 * Open-addressing hash table of 512 u32 slots (0 = empty), multiplicative hash, linear probing.
 * Iteration: clear, insert 320 PRNG keys (x | 1), then look each of them up again (hits) along
 * with as many keys (y * 0x85ebca6b) | 1 that are mostly absent. Folds inserted, hits, probes.
 * Value: hits of the last iteration.
 */
#define HT_SLOTS 512
#define HT_KEYS 320
static u32 ht[HT_SLOTS] HOTDATA(hash);

static inline u32 ht_slot(u32 key) { return (key * 0x9e3779b1u) >> 23; }

HOT(hash) static u32 run_hash(u32 iters, u32 *value) {
  u32 h = FNV_BASIS, x = 0x27d4eb2fu, hits = 0;
  for (u32 it = 0; it < iters; it++) {
    for (u32 i = 0; i < HT_SLOTS; i++) ht[i] = 0;
    u32 x0 = x, inserted = 0, probes = 0;
    for (u32 n = 0; n < HT_KEYS; n++) {
      x = xorshift32(x);
      u32 key = x | 1, s = ht_slot(key);
      while (ht[s] != 0 && ht[s] != key) {
        s = (s + 1) & (HT_SLOTS - 1);
        probes++;
      }
      if (ht[s] == 0) {
        ht[s] = key;
        inserted++;
      }
    }
    hits = 0;
    u32 y = x0;
    for (u32 n = 0; n < HT_KEYS; n++) {
      y = xorshift32(y);
      u32 keys[2] = {y | 1, (y * 0x85ebca6bu) | 1};
      for (int k = 0; k < 2; k++) {
        u32 s = ht_slot(keys[k]);
        while (ht[s] != 0) {
          if (ht[s] == keys[k]) {
            hits++;
            break;
          }
          s = (s + 1) & (HT_SLOTS - 1);
          probes++;
        }
      }
    }
    h = mix(h, inserted);
    h = mix(h, hits);
    h = mix(h, probes);
  }
  *value = hits;
  return h;
}

/* ------------------------------------------------------------------------------------------- */

void workload_main(struct mailbox *mb) {
  u32 errors = 0;
  if (mb->iters[K_SIEVE]) mb->checksum[K_SIEVE] = run_sieve(mb->iters[K_SIEVE], &mb->value[K_SIEVE]);
  if (mb->iters[K_CRC]) mb->checksum[K_CRC] = run_crc(mb->iters[K_CRC], &mb->value[K_CRC], &errors);
  if (mb->iters[K_SORT]) mb->checksum[K_SORT] = run_sort(mb->iters[K_SORT], &mb->value[K_SORT], &errors);
  if (mb->iters[K_MEM]) mb->checksum[K_MEM] = run_mem(mb->iters[K_MEM], &mb->value[K_MEM]);
  if (mb->iters[K_HASH]) mb->checksum[K_HASH] = run_hash(mb->iters[K_HASH], &mb->value[K_HASH]);
  mb->errors = errors;
  mb->magic = MAILBOX_MAGIC_DONE;
}
