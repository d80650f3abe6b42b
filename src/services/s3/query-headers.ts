// The headers a presigned URL carries in its query, which S3 acts on as if they had been sent as headers. They are
// part of what was signed (SigV2: the x-amz-* ones are CanonicalizedAmzHeaders; SigV4: every parameter is in the
// canonical query string), so a holder of the URL cannot change them; a header sent as one wins.
//
//   SigV2 (botocore moves every x-amz-* header it signs there): x-amz-*.
//   SigV4 (the JS SDK puts x-amz-meta-*, x-amz-storage-class, ... there; botocore's raw signer If-Match and
//   If-None-Match): x-amz-* other than SigV4's own parameters, and If-Match / If-None-Match. AWS ignores the
//   x-amz-checksum-* values the JS SDK adds before it knows the body (localstack's recordings of AWS, February
//   2026: test_presigned_url_v4_x_amz_in_qs stores the metadata and storage class and ignores a wrong CRC32;
//   test_pre_signed_url_if_match / _if_none_match answer 412 from the query's condition).
// Content-Type and Content-MD5 are never taken from a query: the request must send them as they were signed. Nor
// are SSE-C keys: S3 requires "all the encryption headers in your client application's request" for a presigned
// URL (user guide, "Using presigned URLs with SSE-C"), and a key does not belong in a URL, which ends up in logs.
import { parseQuery } from '../../protocol/sigv4/canonical.js';
import { PRESIGN_PARAMETERS } from '../../protocol/sigv4/verifier.js';

/** SigV4's own parameters: authentication, never headers. */
const SIGV4_AUTH = new Set([...PRESIGN_PARAMETERS, 'X-Amz-Security-Token'].map((n) => n.toLowerCase()));
const CONDITIONS = new Set(['if-match', 'if-none-match']);
const CUSTOMER_KEY = /^x-amz-(copy-source-)?server-side-encryption-customer-/;

export function presignedQueryHeaders(query: string, present: Record<string, unknown>, version: 2 | 4): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of parseQuery(query)) {
    const name = p.name.toLowerCase();
    if (present[name] !== undefined || CUSTOMER_KEY.test(name)) continue;
    const wanted =
      version === 2
        ? p.name.startsWith('x-amz-')
        : (name.startsWith('x-amz-') && !SIGV4_AUTH.has(name) && !name.startsWith('x-amz-checksum-')) || CONDITIONS.has(name);
    // Held as Node holds a header: one character per byte of its UTF-8 (the query decodes to text).
    if (wanted) out[name] = Buffer.from(p.value, 'utf8').toString('latin1');
  }
  return out;
}
