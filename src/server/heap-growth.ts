// How far V8 lets the old generation grow before its next full (mark-compact) collection, set for a
// serving process (docs/decisions.md 71).
//
// After each mark-compact V8 sets the next old-generation limit to the live heap times a growing factor
// it picks (between 1.1 and 4) from its own GC and allocation speeds. Keyhold's live heap is small
// (~15 MB) and what it churns is mostly memory outside the heap: every sealed or opened 64 KiB segment is
// an ArrayBuffer. Under object traffic V8's choice left limits of 42-50 MB (--trace-gc-verbose), started
// incremental marking well before them, and ran a full collection every ~14 GETs of 1 MiB (103 in 5 s),
// with concurrent marking on the helper threads costing about as much CPU as the GETs. With the factor
// fixed at 4 (the top of V8's own range) the same run had 8-17: 1 MiB GETs +38% and 64 MiB GETs +41%
// throughput (docs/benchmarks.md part 2, round 7). The cost is a heap that may grow to four times its
// live size before it is collected: tens of MB here, inside the benchmark's RSS target.
//
// The flag is read at each limit computation, so setting it after start-up takes effect from the next
// collection (unlike --initial-heap-size, which V8 reads only when the heap is created and Node does not
// accept in NODE_OPTIONS).
import { setFlagsFromString } from 'node:v8';

/** V8's --heap-growing-percent: the factor is 1 + percent / 100, so 300 is a factor of 4. */
export const HEAP_GROWING_PERCENT = 300;

/** Sets the factor unless the operator started Node with a growth setting of their own. */
export function setServerHeapGrowth(): void {
  if (process.execArgv.some((a) => /^--heap[-_]growing[-_]percent\b/.test(a))) return;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
