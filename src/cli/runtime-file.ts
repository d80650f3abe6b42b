// DIR/endpoint.json tells `keyhold env` (and scripts) where the running server listens. Not secret.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurable } from '../storage/durable-file.js';

export interface RuntimeInfo {
  endpoint: string;
  httpEndpoint?: string;
  region: string;
  accountId: string;
  pid: number;
}

export const RUNTIME_FILE = 'endpoint.json';

export function writeRuntimeInfo(dataDir: string, info: RuntimeInfo): void {
  writeFileDurable(join(dataDir, RUNTIME_FILE), Buffer.from(`${JSON.stringify(info, null, 2)}\n`), 0o644);
}

export function readRuntimeInfo(dataDir: string): RuntimeInfo | undefined {
  try {
    return JSON.parse(readFileSync(join(dataDir, RUNTIME_FILE), 'utf8')) as RuntimeInfo;
  } catch {
    return undefined;
  }
}
