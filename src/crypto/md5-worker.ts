// The helper thread of ./offloaded-md5.ts: keeps one MD5 per stream id, fed with transferred chunks, and
// answers the digest when the stream ends. It holds request bytes only while hashing them.
import { createHash, type Hash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

export type Md5Message = { id: number; chunk: ArrayBuffer } | { id: number; end: true } | { id: number; abort: true };

const open = new Map<number, Hash>();

parentPort?.on('message', (m: Md5Message) => {
  if ('chunk' in m) {
    let h = open.get(m.id);
    if (!h) {
      h = createHash('md5');
      open.set(m.id, h);
    }
    h.update(new Uint8Array(m.chunk));
  } else if ('end' in m) {
    const digest = (open.get(m.id) ?? createHash('md5')).digest();
    open.delete(m.id);
    parentPort!.postMessage({ id: m.id, digest }, [digest.buffer]);
  } else {
    open.delete(m.id);
  }
});
