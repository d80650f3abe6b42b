// The verifier caches the request-independent parse of an Authorization header (credential, scope,
// signed-header list). These cases send the same header prefix again with something else wrong and
// expect exactly the answer an uncached verification gives: the cache must never let a request skip a
// check that depends on the request, nor change which error is reported.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../helpers/sha256.js';
import { sha256Hex } from '../../../src/protocol/sigv4/canonical.js';
import { clearAuthorizationCache, verifySigV4 } from '../../../src/protocol/sigv4/verifier.js';
import { authOutcome } from '../../helpers/auth-outcome.js';

const creds = { accessKeyId: 'AKIAAUTHCACHE0000001', secretAccessKey: 'authorization-cache-secret-0123456789' };
const lookup = (id: string) => (id === creds.accessKeyId ? { ...creds, active: true, principal: 'p' } : undefined);
const body = '{"KeyId":"alias/x"}';

async function signed(target: string, signingDate: Date) {
  const signer = new SignatureV4({ credentials: creds, region: 'us-east-1', service: 'kms', sha256: NodeSha256 as never });
  const r = await signer.sign(
    { method: 'POST', protocol: 'https:', hostname: 'localhost', path: '/', headers: { host: 'localhost', 'x-amz-target': target }, body },
    { signingDate },
  );
  return { method: 'POST', path: '/', query: '', headers: Object.entries(r.headers) as Array<[string, string]> };
}

const verify = (req: Awaited<ReturnType<typeof signed>>, now: number, mustSign: string[] = ['x-amz-target']) =>
  verifySigV4(req, { now, pathRule: 'normalized', service: 'kms', payloadHash: sha256Hex(body), lookup, mustSign });

describe('SigV4 Authorization parse cache', () => {
  it('a cached header prefix still needs the right signature, a current date and every signed header', async () => {
    const now = new Date();
    const a = await signed('TrentService.Encrypt', now);
    const b = await signed('TrentService.Decrypt', now);
    const auth = (r: typeof a) => r.headers.find(([n]) => n === 'authorization')![1];
    // Same credential, scope and signed headers: one cache entry serves both requests.
    assert.equal(auth(a).split('Signature=')[0], auth(b).split('Signature=')[0]);
    assert.equal(
      authOutcome(() => verify(a, now.getTime())),
      'verified',
    );
    assert.equal(
      authOutcome(() => verify(b, now.getTime())),
      'verified',
    );

    // B's signature on A's request (a hit with a valid-looking signature): refused.
    const swapped = { ...a, headers: a.headers.map(([n, v]): [string, string] => [n, n === 'authorization' ? auth(b) : v]) };
    assert.equal(
      authOutcome(() => verify(swapped, now.getTime())),
      'SignatureMismatch',
    );
    // A signed header missing from the request: refused on a hit as on a miss.
    const missing = { ...a, headers: a.headers.filter(([n]) => n !== 'x-amz-target') };
    assert.equal(
      authOutcome(() => verify(missing, now.getTime())),
      'SignatureMismatch',
    );
    // Clock skew is checked per request.
    assert.equal(
      authOutcome(() => verify(a, now.getTime() + 16 * 60_000)),
      'RequestTimeTooSkewed',
    );
    // A header that must be signed but is not (the cached list lacks it) is reported.
    const extra = { ...a, headers: [...a.headers, ['x-amz-extra', '1'] as [string, string]] };
    assert.equal(
      authOutcome(() => verify(extra, now.getTime(), ['x-amz-extra'])),
      'HeadersNotSigned',
    );
  });

  it('headers that are not "…, Signature=<hex>" at the end are parsed in full every time', async () => {
    const now = new Date();
    const a = await signed('TrentService.Encrypt', now);
    const auth = a.headers.find(([n]) => n === 'authorization')![1];
    const [prefix, sig] = auth.split('Signature=') as [string, string];
    // Signature first: the same members in another order verify, as AWS accepts them.
    const reordered = `AWS4-HMAC-SHA256 Signature=${sig}, ${prefix.slice('AWS4-HMAC-SHA256 '.length).replace(/,\s*$/, '')}`;
    const withAuth = (v: string) => ({ ...a, headers: a.headers.map(([n, x]): [string, string] => [n, n === 'authorization' ? v : x]) });
    assert.equal(
      authOutcome(() => verify(withAuth(reordered), now.getTime())),
      'verified',
    );
    // Two Signature members: never cached, the last one counts (as in the uncached parser).
    assert.equal(
      authOutcome(() => verify(withAuth(`${prefix}Signature=${'0'.repeat(64)}, Signature=${sig}`), now.getTime())),
      'verified',
    );
    assert.equal(
      authOutcome(() => verify(withAuth(`${prefix}Signature=${sig}, Signature=${'0'.repeat(64)}`), now.getTime())),
      'SignatureMismatch',
    );
    // A malformed scope is reported as such, also after the well-formed header was cached.
    assert.equal(
      authOutcome(() => verify(withAuth(auth.replace('/us-east-1/', '/US_EAST/')), now.getTime())),
      'MalformedAuthorization',
    );
  });

  it('a cache hit never answers differently from a fresh parse (property over mutated headers)', async () => {
    const now = new Date();
    const good = await signed('TrentService.Encrypt', now);
    const auth = good.headers.find(([n]) => n === 'authorization')![1];
    const withAuth = (v: string) => ({ ...good, headers: good.headers.map(([n, x]): [string, string] => [n, n === 'authorization' ? v : x]) });
    const piece = fc.oneof(
      fc.constantFrom('Signature=', ', ', ',', ' ', '\t', 'SignedHeaders=host', 'Credential=', '/', ';', '0'.repeat(64)),
      fc.string({ maxLength: 8 }),
    );
    await fc.assert(
      // Positions anywhere, but often around and after the signature, where the cache key is decided.
      fc.property(
        fc.oneof(fc.nat({ max: auth.length }), fc.integer({ min: auth.length - 80, max: auth.length }), fc.constant(auth.length)),
        fc.nat({ max: 20 }),
        piece,
        (at, cut, insert) => {
          const mutant = auth.slice(0, at) + insert + auth.slice(Math.min(auth.length, at + cut));
          clearAuthorizationCache();
          const fresh = authOutcome(() => verify(withAuth(mutant), now.getTime()));
          // Warm the cache with the valid header and with the mutant itself, then ask again.
          verify(good, now.getTime());
          authOutcome(() => verify(withAuth(mutant), now.getTime()));
          const cached = authOutcome(() => verify(withAuth(mutant), now.getTime()));
          assert.equal(cached, fresh, `mutant ${JSON.stringify(mutant)}`);
        },
      ),
      { numRuns: 600 },
    );
  });
});
