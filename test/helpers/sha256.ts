// A SHA-256 / HMAC-SHA256 implementation of the SDK's Checksum interface over node:crypto, for
// @smithy/signature-v4 in tests.
import { createHash, createHmac } from 'node:crypto';

const toBuf = (d: unknown): Buffer =>
  typeof d === 'string' ? Buffer.from(d) : ArrayBuffer.isView(d) ? Buffer.from(d.buffer, d.byteOffset, d.byteLength) : Buffer.from(d as ArrayBuffer);

export class NodeSha256 {
  #h: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(secret?: unknown) {
    this.#h = secret ? createHmac('sha256', toBuf(secret)) : createHash('sha256');
  }
  update(d: unknown): void {
    this.#h.update(toBuf(d));
  }
  reset(): void {}
  async digest(): Promise<Uint8Array> {
    return this.#h.digest();
  }
}
