// Runs `keyhold` as a real child process (the contract automation relies on) and waits for events
// (its banner, its exit) instead of sleeping.
import { type ChildProcess, spawn } from 'node:child_process';
import { KEYHOLD_BIN } from './paths.js';

export interface ServerProcess {
  proc: ChildProcess;
  endpoint: string;
  stdout(): string;
  stderr(): string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [KEYHOLD_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c));
    p.stderr.on('data', (c: Buffer) => (stderr += c));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function startServerProcess(dataDir: string, env: NodeJS.ProcessEnv = {}, extraArgs: string[] = []): Promise<ServerProcess> {
  const proc = spawn(process.execPath, [KEYHOLD_BIN, 'serve', '--data-dir', dataDir, '--port', '0', ...extraArgs], {
    env: { ...process.env, KEYHOLD_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) =>
    proc.on('exit', (code, signal) => {
      if (signal) err += `\n[killed by ${signal}]`;
      resolve(code);
    }),
  );
  return new Promise((resolve, reject) => {
    const onData = (c: Buffer) => {
      out += c;
      const m = /endpoint\s+(https:\/\/\S+)/.exec(out);
      if (m && out.includes('Point the AWS CLI')) {
        proc.stdout!.off('data', onData);
        proc.stdout!.on('data', (d: Buffer) => (out += d));
        resolve({
          proc,
          endpoint: m[1]!,
          stdout: () => out,
          stderr: () => err,
          exited,
          stop: (signal = 'SIGTERM') => {
            proc.kill(signal);
            return exited;
          },
        });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (c: Buffer) => (err += c));
    void exited.then((code) => reject(new Error(`keyhold exited (${code}) before it was ready:\n${out}\n${err}`)));
  });
}
