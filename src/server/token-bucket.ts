// Request quotas as token buckets: capacity = rate (one second of burst), refilled continuously.
// One bucket per (account, region, quota group), as AWS applies its KMS quotas
// (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html).
export class TokenBuckets {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  /** Takes one token; false when the bucket is empty. */
  take(id: string, ratePerSecond: number, now: number): boolean {
    let b = this.#buckets.get(id);
    if (!b) {
      b = { tokens: ratePerSecond, at: now };
      this.#buckets.set(id, b);
    } else {
      // The clock is the wall clock (requests are signed and audited by it). A step back (NTP, a VM resumed)
      // refills nothing and costs nothing: counted as a negative refill it drained the bucket for as long as
      // the step, throttling every call of the group.
      b.tokens = Math.min(ratePerSecond, b.tokens + (Math.max(0, now - b.at) / 1000) * ratePerSecond);
      b.at = now;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
