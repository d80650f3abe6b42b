// Texts with second precision (the HTTP Date header, CloudTrail's eventTime) are asked for on every request;
// they are formatted once per second instead.
export function perSecond(format: (secondStartMs: number) => string): (ms: number) => string {
  let second = Number.NaN;
  let text = '';
  return (ms) => {
    const s = Math.floor(ms / 1000);
    if (s !== second) {
      text = format(s * 1000);
      second = s;
    }
    return text;
  };
}

/** The HTTP Date header (RFC 9110 IMF-fixdate). SDKs correct their clock skew from it. */
export const httpDate = perSecond((ms) => new Date(ms).toUTCString());
