// Non-ASCII header values (x-amz-meta-* with "é"): Node hands the verifier each header byte as one latin1
// character. Signers differ in the bytes they put on the wire for the string they signed: Node's client
// writes latin1 (one byte E9), botocore writes UTF-8 (C3 A9) and signs those bytes, as S3 verifies them.
// Both must verify; a changed value must not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import { sha256Hex } from '../../../src/protocol/sigv4/canonical.js';
import { SigV4Error } from '../../../src/protocol/sigv4/errors.js';
import { verifySigV4 } from '../../../src/protocol/sigv4/verifier.js';
import { NodeSha256 } from '../../helpers/sha256.js';

const creds = { accessKeyId: 'AKIANONASCII00000001', secretAccessKey: 'non-ascii-header-secret-0123456789ab' };
const lookup = (id: string) => (id === creds.accessKeyId ? { ...creds, active: true, principal: 'p' } : undefined);

/** Signs `value` (a JS string, hashed as UTF-8 as every SDK does) and delivers it as the server sees `wire`. */
async function request(value: string, wire: string) {
  const signer = new SignatureV4({ credentials: creds, region: 'us-east-1', service: 's3', sha256: NodeSha256 as never });
  const r = await signer.sign(
    {
      method: 'PUT',
      protocol: 'https:',
      hostname: 'localhost',
      path: '/b/k',
      headers: { host: 'localhost', 'x-amz-meta-m': value, 'x-amz-content-sha256': sha256Hex('') },
    },
    { signingDate: new Date() },
  );
  const headers = Object.entries(r.headers).map(([n, v]): [string, string] => [n, n === 'x-amz-meta-m' ? wire : v]);
  return { method: 'PUT', path: '/b/k', query: '', headers };
}

function outcome(req: Awaited<ReturnType<typeof request>>): string {
  try {
    verifySigV4(req, { now: Date.now(), pathRule: 's3', service: 's3', payloadHash: sha256Hex(''), lookup });
    return 'verified';
  } catch (err) {
    if (err instanceof SigV4Error) return err.reason;
    throw err;
  }
}

const latin1Of = (bytes: Buffer) => bytes.toString('latin1');

describe('SigV4 with non-ASCII header values', () => {
  it('verifies latin1 senders (Node) and UTF-8 senders (botocore), and refuses a changed value', async () => {
    const value = 'Hello World\u00e9';
    assert.equal(outcome(await request(value, latin1Of(Buffer.from(value, 'latin1')))), 'verified', 'one byte E9 on the wire');
    assert.equal(outcome(await request(value, latin1Of(Buffer.from(value, 'utf8')))), 'verified', 'bytes C3 A9 on the wire');
    assert.equal(outcome(await request('\u20ac5', latin1Of(Buffer.from('\u20ac5', 'utf8')))), 'verified', 'a character beyond latin1, as UTF-8');
    assert.equal(outcome(await request(value, latin1Of(Buffer.from('Hello World\u00e8', 'utf8')))), 'SignatureMismatch');
    assert.equal(outcome(await request(value, latin1Of(Buffer.from('Hello World\u00e8', 'latin1')))), 'SignatureMismatch');
  });
});
