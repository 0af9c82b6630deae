/*
 * Native run of the benchmark workload: bench/guest/workload.c linked into a host program.
 * Usage: host REPEATS ITERS_SIEVE ITERS_CRC ITERS_SORT ITERS_MEM ITERS_HASH
 * Runs the workload REPEATS times and prints one JSON object: the fastest run's seconds and the
 * mailbox (values, checksums, errors). bench/native.ts builds and runs it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../guest/workload.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  if (argc != 2 + K_COUNT) {
    fprintf(stderr, "usage: %s REPEATS ITERS_SIEVE ITERS_CRC ITERS_SORT ITERS_MEM ITERS_HASH\n", argv[0]);
    return 2;
  }
  int repeats = atoi(argv[1]);
  static struct mailbox mb;
  double best = -1;
  for (int r = 0; r < (repeats > 0 ? repeats : 1); r++) {
    memset(&mb, 0, sizeof mb);
    mb.magic = MAILBOX_MAGIC_IN;
    for (int k = 0; k < K_COUNT; k++) mb.iters[k] = (u32)strtoul(argv[2 + k], 0, 0);
    double t0 = now();
    workload_main(&mb);
    double t = now() - t0;
    if (best < 0 || t < best) best = t;
  }
  printf("{\"seconds\":%.9f,\"done\":%s,\"errors\":%u,\"value\":[", best,
         mb.magic == MAILBOX_MAGIC_DONE ? "true" : "false", mb.errors);
  for (int k = 0; k < K_COUNT; k++) printf("%s%u", k ? "," : "", mb.value[k]);
  printf("],\"checksum\":[");
  for (int k = 0; k < K_COUNT; k++) printf("%s%u", k ? "," : "", mb.checksum[k]);
  printf("]}\n");
  return 0;
}
