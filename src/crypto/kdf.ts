// Key derivation.
// - sp800108: NIST SP 800-108r1 KDF in counter mode with HMAC-SHA256, the construction AWS KMS documents
//   for its per-call data encryption keys (kms.md §7):
//     K(i) = HMAC(KI, [i]_32 || Label || 0x00 || Context || [L]_32), output = K(1) || K(2) || ...
// - hkdf: RFC 5869 HKDF-SHA256 through node:crypto, used where a salt/info split is natural.
import { createHmac, hkdfSync } from 'node:crypto';

export function sp800108(keyIn: Buffer, label: Buffer | string, context: Buffer, outBytes = 32): Buffer {
  if (outBytes <= 0 || outBytes > 255 * 32) throw new RangeError('invalid KDF output length');
  const labelBuf = typeof label === 'string' ? Buffer.from(label, 'utf8') : label;
  // One input buffer [i]_32 || Label || 0x00 || Context || [L]_32, rewritten per block: one HMAC update
  // per block instead of five (this runs on every KMS Encrypt and Decrypt).
  const input = Buffer.allocUnsafe(4 + labelBuf.length + 1 + context.length + 4);
  labelBuf.copy(input, 4);
  input[4 + labelBuf.length] = 0;
  context.copy(input, 5 + labelBuf.length);
  input.writeUInt32BE(outBytes * 8, input.length - 4);
  const blocks: Buffer[] = [];
  for (let i = 1; blocks.length * 32 < outBytes; i++) {
    input.writeUInt32BE(i, 0);
    blocks.push(createHmac('sha256', keyIn).update(input).digest());
  }
  const out = blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks);
  return out.length === outBytes ? out : out.subarray(0, outBytes);
}

export function hkdfSha256(ikm: Buffer, salt: Buffer, info: Buffer, outBytes: number): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, outBytes));
}
