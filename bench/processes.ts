// Starting and stopping the processes a benchmark measures: Keyhold itself, the ceiling server, the moto
// peer, and load-generator runs. Everything listens on loopback.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadResult, LoadSpec } from './load-generator.js';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(here, '../..');
const BIN = join(REPO, 'bin', 'keyhold.js');

export interface Running {
  url: string;
  caPath: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

function stopper(proc: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((res) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return res();
      proc.once('exit', () => res());
      proc.kill('SIGTERM');
      setTimeout(() => proc.kill('SIGKILL'), 10_000).unref();
    });
}

// Every directory a run makes is removed when its part ends (removeTempDir) and, whatever happens, when the
// process exits: the object parts write gigabytes, and runs that left them behind filled the disk.
const made = new Set<string>();

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'keyhold-bench-'));
  made.add(dir);
  return dir;
}

/** Removes a directory from tempDir() (its servers must have stopped). */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  made.delete(dir);
}

process.once('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

export async function startKeyhold(dataDir: string, creds: { accessKeyId: string; secretAccessKey: string }, extra: string[] = []): Promise<Running> {
  const proc = spawn(process.execPath, [BIN, 'serve', '--data-dir', dataDir, '--port', '0', '--log-level', 'warn', ...extra], {
    env: { ...process.env, KEYHOLD_ROOT_ACCESS_KEY_ID: creds.accessKeyId, KEYHOLD_ROOT_SECRET_ACCESS_KEY: creds.secretAccessKey },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((res, rej) => {
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => {
      out += c;
      const m = /endpoint\s+(https:\/\/\S+)/.exec(out);
      if (m) res(m[1]!);
    });
    proc.once('exit', (code) => rej(new Error(`keyhold exited with ${code}`)));
  });
  return { url, caPath: join(dataDir, 'ca.pem'), proc, stop: stopper(proc) };
}

/** A throw-away P-256 certificate for localhost, for the baselines (same key type as Keyhold's). */
export function makeCert(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

export async function startCeiling(cert: { cert: string; key: string }): Promise<Running> {
  const proc = spawn(process.execPath, [join(here, 'ceiling-server.js'), cert.cert, cert.key], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((res) => proc.stdout!.once('data', (c: Buffer) => res(c.toString().trim())));
  return { url: `https://localhost:${port}`, caPath: cert.cert, proc, stop: stopper(proc) };
}

/** The hand-written SigV4 + AES-GCM handler (reference-server.ts): what a KMS costs with nothing but those two. */
export async function startReference(cert: { cert: string; key: string }, creds: { accessKeyId: string; secretAccessKey: string }): Promise<Running> {
  const proc = spawn(process.execPath, [join(here, 'reference-server.js'), cert.cert, cert.key, creds.accessKeyId, creds.secretAccessKey], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((res) => proc.stdout!.once('data', (c: Buffer) => res(c.toString().trim())));
  return { url: `https://localhost:${port}`, caPath: cert.cert, proc, stop: stopper(proc) };
}

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

function waitForPort(port: number, deadline: number): Promise<void> {
  return new Promise((res, rej) => {
    const attempt = () => {
      const sock = connect(port, '127.0.0.1', () => {
        sock.destroy();
        res();
      });
      sock.on('error', () => (Date.now() > deadline ? rej(new Error(`port ${port} never opened`)) : setTimeout(attempt, 100)));
    };
    attempt();
  });
}

export function findMoto(): string | undefined {
  for (const p of (process.env.PATH ?? '').split(':')) if (p && existsSync(join(p, 'moto_server'))) return join(p, 'moto_server');
  return undefined;
}

export async function startMoto(bin: string, cert: { cert: string; key: string }): Promise<Running> {
  const port = await freePort();
  const proc = spawn(bin, ['-H', '127.0.0.1', '-p', String(port), '-c', cert.cert, '-k', cert.key], { stdio: 'ignore' });
  await waitForPort(port, Date.now() + 30_000);
  return { url: `https://localhost:${port}`, caPath: cert.cert, proc, stop: stopper(proc) };
}

export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((res, rej) => {
    const proc = spawn(process.execPath, [join(here, 'load-generator.js'), JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => (out += c));
    proc.on('exit', (code) => (code === 0 ? res(JSON.parse(out) as LoadResult) : rej(new Error(`load generator failed (${code})`))));
  });
}
