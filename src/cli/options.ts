// Command-line options: one table per command gives each option's flag, KEYHOLD_* variable, type,
// default and help text. Precedence: flag > environment > config file > default (DESIGN.md habit 10).
// Unknown flags and bad values are errors with a message that says what to do.
import { readFileSync } from 'node:fs';

export type OptionType = 'string' | 'int' | 'port' | 'bool' | 'list' | 'duration';

export interface OptionSpec {
  name: string;
  env?: string;
  type: OptionType;
  default?: unknown;
  help: string;
  validate?: (v: unknown) => string | undefined;
}

export class UsageError extends Error {}

export type OptionValues = Record<string, unknown>;

const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export function parseDuration(s: string): number | undefined {
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(s.trim());
  if (!m) return undefined;
  const mult = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 's') as 'ms'];
  return Number(m[1]) * mult;
}

function convert(spec: OptionSpec, raw: string, source: string): unknown {
  switch (spec.type) {
    case 'string':
      return raw;
    case 'bool':
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      throw new UsageError(`${source}: expected true or false, got '${raw}'`);
    case 'int':
    case 'port': {
      if (!/^\d+$/.test(raw)) throw new UsageError(`${source}: expected a whole number, got '${raw}'`);
      const n = Number(raw);
      if (spec.type === 'port' && (n < 0 || n > 65535)) throw new UsageError(`${source}: a port is a number from 0 to 65535 (0 picks a free port), got ${raw}`);
      return n;
    }
    case 'duration': {
      const ms = parseDuration(raw);
      if (ms === undefined) throw new UsageError(`${source}: expected a duration such as 30s, 5m, 12h or 90d, got '${raw}'`);
      return ms;
    }
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
  }
}

/** Parses argv against the specs; returns values keyed by camelCase name, and positional args. */
export function parseOptions(
  specs: ReadonlyArray<OptionSpec>,
  argv: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv,
  configFileKey?: string,
): { values: OptionValues; positional: string[] } {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const fromFlags = new Map<string, unknown>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`unknown option --${name} (see --help)`);
    let raw: string;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else if (spec.type === 'bool' && (argv[i + 1] === undefined || argv[i + 1]!.startsWith('--'))) raw = 'true';
    else {
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`option --${name} needs a value`);
      raw = next;
    }
    const v = convert(spec, raw, `--${name}`);
    if (spec.type === 'list') fromFlags.set(name, [...((fromFlags.get(name) as string[]) ?? []), ...(v as string[])]);
    else fromFlags.set(name, v);
  }
  let fileValues: Record<string, unknown> = {};
  const configPath = configFileKey ? ((fromFlags.get(configFileKey) as string | undefined) ?? env.KEYHOLD_CONFIG) : undefined;
  if (configPath) {
    try {
      fileValues = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new UsageError(`cannot read config file ${configPath}: ${(err as Error).message}`);
    }
  }
  const values: OptionValues = {};
  for (const spec of specs) {
    let v: unknown;
    if (fromFlags.has(spec.name)) v = fromFlags.get(spec.name);
    else if (spec.env && env[spec.env] !== undefined && env[spec.env] !== '') v = convert(spec, env[spec.env]!, spec.env);
    else if (fileValues[camel(spec.name)] !== undefined) {
      const fv = fileValues[camel(spec.name)];
      v = typeof fv === 'string' ? convert(spec, fv, `config ${camel(spec.name)}`) : fv;
    } else v = spec.default;
    const problem = v === undefined ? undefined : spec.validate?.(v);
    if (problem) throw new UsageError(`--${spec.name}: ${problem}`);
    values[camel(spec.name)] = v;
  }
  if (configPath) values.configFile = fileValues;
  return { values, positional };
}

/** A duration in the largest unit that divides it, as a flag would give it (17107200000 -> 198d). */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms > 0 && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

export function formatHelp(usage: string, description: string, specs: ReadonlyArray<OptionSpec>): string {
  const lines = [`Usage: ${usage}`, '', description, '', 'Options:'];
  for (const s of specs) {
    const flag = `--${s.name}${s.type === 'bool' ? '' : ` <${s.type === 'list' ? 'value' : s.type}>`}`;
    const shown = s.type === 'duration' && typeof s.default === 'number' ? formatDuration(s.default) : JSON.stringify(s.default);
    const extra = [s.env ? `env ${s.env}` : '', s.default !== undefined && s.default !== '' ? `default ${shown}` : ''].filter(Boolean).join('; ');
    lines.push(`  ${flag.padEnd(30)} ${s.help}${extra ? ` (${extra})` : ''}`);
  }
  lines.push(`  ${'--help'.padEnd(30)} show this help`);
  return `${lines.join('\n')}\n`;
}
