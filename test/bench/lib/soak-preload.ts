/**
 * Preloaded into the soak's `canary serve` child only (`node --expose-gc --import` this file): on
 * SIGUSR2 it runs a full garbage collection and writes `BENCH_HEAP <heapUsed bytes>` to stderr.
 * Not product code: the service itself has no such hook.
 */
process.on('SIGUSR2', () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  process.stderr.write(`BENCH_HEAP ${process.memoryUsage().heapUsed}\n`);
});
