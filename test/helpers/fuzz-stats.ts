// Tallies the answers a fuzz property got, printed at exit when KEYHOLD_FUZZ_STATS is set: the way to see
// whether generated requests reach deep checks or stop at the first (a signature, a missing member).
const tally = new Map<string, number>();
const enabled = Boolean(process.env.KEYHOLD_FUZZ_STATS);
if (enabled) {
  process.once('exit', () => {
    for (const [outcome, n] of [...tally].sort((a, b) => b[1] - a[1])) console.error(`${String(n).padStart(6)} ${outcome}`);
  });
}

export function countOutcome(outcome: string): void {
  if (!enabled) return;
  const key = outcome.slice(0, 120);
  tally.set(key, (tally.get(key) ?? 0) + 1);
}
