// Holds each request until the event loop has finished reading every socket that had data this turn, then
// releases them all at once (setImmediate runs right after the poll phase). Why: on a busy node a request's
// own work — SigV4, the handler, the audit event — costs about twice as much run between other sockets'
// TLS and HTTP parsing as run back to back with the same work of the other requests of the turn (code and
// data stay in the CPU's caches). Measured on KMS Encrypt at 32 connections: 134 → 105 µs of server CPU per
// request, +28% requests per second (docs/benchmarks.md, round 4). The wait is one loop phase, not a timer.

let waiting: Array<() => void> = [];

function releaseAll(): void {
  const batch = waiting;
  waiting = [];
  for (const release of batch) release();
}

/** Resolves in this event-loop turn's check phase, together with every other request that asked this turn. */
export function nextTurnBatch(): Promise<void> {
  return new Promise((resolve) => {
    if (waiting.push(resolve) === 1) setImmediate(releaseAll);
  });
}
