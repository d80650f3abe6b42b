// Passphrase seal: KEK = scrypt(passphrase, salt, N, r, p) (RFC 7914). Salt and cost are stored in the
// keyring file so the same passphrase always yields the same KEK; a wrong passphrase fails the GCM
// unwrap of the root key and the server refuses to start without touching any data.
import { randomBytes, scrypt } from 'node:crypto';
import { type Seal, type SealDescriptor, SealError } from './seal.js';

// OWASP's scrypt floor is N=2^17, r=8, p=1 (128 MiB); the same here.
const DEFAULT_COST = { N: 1 << 17, r: 8, p: 1 };

function derive(passphrase: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, 32, { ...cost, maxmem: 256 * cost.N * cost.r + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export class PassphraseSeal implements Seal {
  readonly kind = 'passphrase';
  constructor(
    private readonly passphrase: string,
    private readonly cost = DEFAULT_COST,
  ) {
    if (passphrase.length < 8) throw new SealError('KEYHOLD_SEAL_PASSPHRASE must be at least 8 characters');
  }

  async create(): Promise<{ kek: Buffer; descriptor: SealDescriptor }> {
    const salt = randomBytes(32);
    const kek = await derive(this.passphrase, salt, this.cost);
    return { kek, descriptor: { kind: this.kind, params: { kdf: 'scrypt', salt: salt.toString('base64'), ...this.cost } } };
  }

  async open(descriptor: SealDescriptor): Promise<Buffer> {
    const p = descriptor.params;
    if (p.kdf !== 'scrypt' || typeof p.salt !== 'string' || typeof p.N !== 'number' || typeof p.r !== 'number' || typeof p.p !== 'number') {
      throw new SealError('the keyring file has unreadable passphrase-seal parameters');
    }
    return derive(this.passphrase, Buffer.from(p.salt, 'base64'), { N: p.N, r: p.r, p: p.p });
  }
}
