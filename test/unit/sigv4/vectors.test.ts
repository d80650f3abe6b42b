// SigV4 verification against every aws-c-auth v4 vector (header and presigned forms, clock pinned to
// context.json), and rejection of single-field mutations of each: signature bit, secret, a signed
// header, date, region, service, body.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  headerMap,
  parseQuery,
  type SignableRequest,
  stringToSign,
} from '../../../src/protocol/sigv4/canonical.js';
import { SigV4Error } from '../../../src/protocol/sigv4/errors.js';
import { verifySigV4 } from '../../../src/protocol/sigv4/verifier.js';
import { VECTORS } from '../../helpers/paths.js';

const DIR = join(VECTORS, 'sigv4', 'v4');

interface Context {
  credentials: { access_key_id: string; secret_access_key: string };
  region: string;
  service: string;
  timestamp: string;
  normalize: boolean;
}

export function parseRawRequest(text: string): SignableRequest & { body: Buffer } {
  const [head, ...bodyParts] = text.split(/\r?\n\r?\n/);
  const lines = (head ?? '').split(/\r?\n/);
  const first = lines.shift()!;
  const method = first.slice(0, first.indexOf(' '));
  const target = first.slice(first.indexOf(' ') + 1, first.lastIndexOf(' HTTP/'));
  const headers: Array<[string, string]> = [];
  for (const line of lines) {
    if (/^\s/.test(line) && headers.length > 0) headers[headers.length - 1]![1] += `\n${line}`;
    else if (line !== '') {
      const c = line.indexOf(':');
      headers.push([line.slice(0, c), line.slice(c + 1)]);
    }
  }
  const q = target.indexOf('?');
  return {
    method,
    path: q < 0 ? target : target.slice(0, q),
    query: q < 0 ? '' : target.slice(q + 1),
    headers,
    body: Buffer.from(bodyParts.join('\n\n')),
  };
}

const cases = readdirSync(DIR).filter((d) => !d.includes('.'));

function setup(name: string) {
  const ctx = JSON.parse(readFileSync(join(DIR, name, 'context.json'), 'utf8')) as Context;
  const read = (f: string) => readFileSync(join(DIR, name, f), 'utf8');
  const now = Date.parse(ctx.timestamp);
  const cred = (secret = ctx.credentials.secret_access_key) => ({
    accessKeyId: ctx.credentials.access_key_id,
    secretAccessKey: secret,
    active: true,
    principal: 'p',
  });
  const verify = (req: SignableRequest & { body: Buffer }, o: { secret?: string; service?: string; now?: number; refuseSessionTokens?: boolean } = {}) =>
    verifySigV4(req, {
      now: o.now ?? now,
      pathRule: ctx.normalize ? 'normalized' : 's3',
      service: o.service ?? ctx.service,
      payloadHash: createHash('sha256').update(req.body).digest('hex'),
      lookup: (id) => (id === ctx.credentials.access_key_id ? cred(o.secret) : undefined),
      refuseSessionTokens: o.refuseSessionTokens,
    });
  return { ctx, read, verify };
}

describe('SigV4 aws-c-auth vectors', () => {
  it('has the 38 cases', () => assert.equal(cases.length, 38));

  for (const name of cases) {
    describe(name, () => {
      const { ctx, read, verify } = setup(name);

      it('canonical request and string to sign match (header form)', () => {
        const req = parseRawRequest(read('request.txt'));
        const signed = parseRawRequest(read('header-signed-request.txt'));
        const headers = headerMap(signed.headers);
        const sh = /SignedHeaders=([^,]+)/.exec(headers.get('authorization') ?? '')![1]!.split(';');
        const canon = canonicalRequest(
          req.method,
          canonicalUri(req.path, ctx.normalize ? 'normalized' : 's3'),
          canonicalQuery(parseQuery(req.query)),
          headers,
          sh,
          createHash('sha256').update(req.body).digest('hex'),
        );
        assert.equal(canon, read('header-canonical-request.txt'));
        const amzDate = headers.get('x-amz-date')!;
        assert.equal(stringToSign(amzDate, `${amzDate.slice(0, 8)}/${ctx.region}/${ctx.service}/aws4_request`, canon), read('header-string-to-sign.txt'));
      });

      it('verifies the header-signed request', () => {
        const v = verify(parseRawRequest(read('header-signed-request.txt')));
        assert.equal(v.signature, read('header-signature.txt').trim());
        assert.equal(v.mode, 'header');
      });

      it('verifies the presigned request', () => {
        const v = verify(parseRawRequest(read('query-signed-request.txt')));
        assert.equal(v.signature, read('query-signature.txt').trim());
        assert.equal(v.mode, 'query');
      });

      it('with refuseSessionTokens, refuses a request carrying a session token after its signature holds, and only such a request', () => {
        for (const file of ['header-signed-request.txt', 'query-signed-request.txt']) {
          const signed = parseRawRequest(read(file));
          const token = signed.headers.some(([n]) => n.toLowerCase() === 'x-amz-security-token') || signed.query.includes('X-Amz-Security-Token=');
          if (!token) {
            assert.doesNotThrow(() => verify(signed, { refuseSessionTokens: true }), file);
            continue;
          }
          assert.throws(
            () => verify(signed, { refuseSessionTokens: true }),
            (e: SigV4Error) => e.reason === 'InvalidSessionToken',
            file,
          );
          // A wrong secret is still a signature mismatch: the token's refusal is only told to the key's holder.
          assert.throws(
            () => verify(signed, { refuseSessionTokens: true, secret: 'nope-nope-nope-nope' }),
            (e: SigV4Error) => e.reason === 'SignatureMismatch',
            file,
          );
        }
      });

      it('rejects mutations of the header form', () => {
        const good = parseRawRequest(read('header-signed-request.txt'));
        const auth = good.headers.find(([n]) => n.toLowerCase() === 'authorization')![1];
        const withAuth = (a: string) => ({
          ...good,
          headers: good.headers.map(([n, v]) => [n, n.toLowerCase() === 'authorization' ? a : v] as [string, string]),
        });
        const sig = /Signature=([0-9a-f]{64})/.exec(auth)![1]!;
        const flipped = sig.slice(0, 63) + (sig[63] === '0' ? '1' : '0');
        const mutants: Array<[string, () => unknown]> = [
          ['signature bit', () => verify(withAuth(auth.replace(sig, flipped)))],
          ['secret', () => verify(good, { secret: `${ctx.credentials.secret_access_key}x` })],
          ['region', () => verify(withAuth(auth.replace(`/${ctx.region}/`, '/us-west-2/')))],
          ['service in scope', () => verify(withAuth(auth.replace(`/${ctx.service}/`, '/other/')), { service: 'other' })],
          ['expected service', () => verify(good, { service: 'kms' })],
          [
            'date',
            () =>
              verify({
                ...good,
                headers: good.headers.map(([n, v]) => [n, n.toLowerCase() === 'x-amz-date' ? v.replace(/\d{2}Z$/, '01Z') : v] as [string, string]),
              }),
          ],
          [
            'signed header value',
            () => verify({ ...good, headers: good.headers.map(([n, v]) => [n, n.toLowerCase() === 'host' ? 'evil.example.com' : v] as [string, string]) }),
          ],
          ['body', () => verify({ ...good, body: Buffer.concat([good.body, Buffer.from('x')]) })],
          ['path', () => verify({ ...good, path: `${good.path}x` })],
          ['clock skew > 15 min', () => verify(good, { now: Date.parse(ctx.timestamp) + 15 * 60_000 + 1000 })],
        ];
        for (const [what, run] of mutants) assert.throws(run, SigV4Error, `${name}: ${what} must be rejected`);
        assert.doesNotThrow(() => verify(good, { now: Date.parse(ctx.timestamp) + 15 * 60_000 - 1000 }));
      });

      it('rejects mutations of the presigned form', () => {
        const good = parseRawRequest(read('query-signed-request.txt'));
        const sig = /X-Amz-Signature=([0-9a-f]{64})/.exec(good.query)![1]!;
        const flipped = sig.slice(0, 63) + (sig[63] === '0' ? '1' : '0');
        const q = (query: string) => ({ ...good, query });
        const mutants: Array<[string, () => unknown]> = [
          ['signature bit', () => verify(q(good.query.replace(sig, flipped)))],
          ['secret', () => verify(good, { secret: 'nope-nope-nope-nope' })],
          ['region', () => verify(q(good.query.replace(`%2F${ctx.region}%2F`, '%2Fus-west-2%2F')))],
          ['expires', () => verify(q(good.query.replace('X-Amz-Expires=3600', 'X-Amz-Expires=3601')))],
          ['expired', () => verify(good, { now: Date.parse(ctx.timestamp) + 3601_000 })],
          ['Expires 0', () => verify(q(good.query.replace('X-Amz-Expires=3600', 'X-Amz-Expires=0')))],
          ['Expires 604801', () => verify(q(good.query.replace('X-Amz-Expires=3600', 'X-Amz-Expires=604801')))],
        ];
        for (const [what, run] of mutants) assert.throws(run, SigV4Error, `${name}: ${what} must be rejected`);
      });
    });
  }
});
