// Counters, histograms and gauges in the Prometheus text exposition format (version 0.0.4,
// https://prometheus.io/docs/instrumenting/exposition_formats/). A registry's state is a plain snapshot, so that
// in cluster mode the snapshots of every worker can be merged into one answer: counters and histograms add up,
// gauges stay per process under a `worker` label.

export type Labels = Readonly<Record<string, string>>;

interface HistogramSeries {
  labels: Labels;
  /** Per bucket (upper bounds as in the family), not cumulative; the last one is +Inf. */
  counts: number[];
  sum: number;
}

export interface MetricsSnapshot {
  counters: Record<string, Array<{ labels: Labels; value: number }>>;
  histograms: Record<string, { bounds: number[]; series: HistogramSeries[] }>;
  gauges: Record<string, Array<{ labels: Labels; value: number }>>;
}

export interface MetricHelp {
  type: 'counter' | 'histogram' | 'gauge';
  help: string;
}

const labelsKey = (l: Labels) => JSON.stringify(Object.entries(l).sort(([a], [b]) => (a < b ? -1 : 1)));

export class MetricsRegistry {
  readonly #counters = new Map<string, Map<string, { labels: Labels; value: number }>>();
  readonly #histograms = new Map<string, { bounds: number[]; series: Map<string, HistogramSeries> }>();

  inc(name: string, labels: Labels, by = 1): void {
    let family = this.#counters.get(name);
    if (!family) this.#counters.set(name, (family = new Map()));
    const key = labelsKey(labels);
    const s = family.get(key);
    if (s) s.value += by;
    else family.set(key, { labels, value: by });
  }

  /** Records one observation; the family's bucket bounds are fixed by its first observation. */
  observe(name: string, bounds: ReadonlyArray<number>, labels: Labels, value: number): void {
    let family = this.#histograms.get(name);
    if (!family) this.#histograms.set(name, (family = { bounds: [...bounds], series: new Map() }));
    const key = labelsKey(labels);
    let s = family.series.get(key);
    if (!s) family.series.set(key, (s = { labels, counts: new Array(family.bounds.length + 1).fill(0), sum: 0 }));
    let i = family.bounds.findIndex((b) => value <= b);
    if (i < 0) i = family.bounds.length;
    s.counts[i]!++;
    s.sum += value;
  }

  snapshot(gauges: MetricsSnapshot['gauges'] = {}): MetricsSnapshot {
    const counters: MetricsSnapshot['counters'] = {};
    for (const [name, family] of this.#counters) counters[name] = [...family.values()].map((s) => ({ labels: s.labels, value: s.value }));
    const histograms: MetricsSnapshot['histograms'] = {};
    for (const [name, family] of this.#histograms) {
      histograms[name] = { bounds: family.bounds, series: [...family.series.values()].map((s) => ({ labels: s.labels, counts: [...s.counts], sum: s.sum })) };
    }
    return { counters, histograms, gauges };
  }
}

/** The snapshots of several processes as one: counters and histogram series with the same labels add up. */
export function mergeSnapshots(snapshots: ReadonlyArray<MetricsSnapshot>): MetricsSnapshot {
  const out: MetricsSnapshot = { counters: {}, histograms: {}, gauges: {} };
  for (const snap of snapshots) {
    for (const [name, series] of Object.entries(snap.counters)) {
      const into = (out.counters[name] ??= []);
      for (const s of series) {
        const same = into.find((x) => labelsKey(x.labels) === labelsKey(s.labels));
        if (same) same.value += s.value;
        else into.push({ labels: s.labels, value: s.value });
      }
    }
    for (const [name, family] of Object.entries(snap.histograms)) {
      const into = (out.histograms[name] ??= { bounds: family.bounds, series: [] });
      for (const s of family.series) {
        const same = into.series.find((x) => labelsKey(x.labels) === labelsKey(s.labels));
        if (same) {
          for (let i = 0; i < s.counts.length; i++) same.counts[i]! += s.counts[i]!;
          same.sum += s.sum;
        } else into.series.push({ labels: s.labels, counts: [...s.counts], sum: s.sum });
      }
    }
    for (const [name, series] of Object.entries(snap.gauges)) (out.gauges[name] ??= []).push(...series);
  }
  return out;
}

// Label values escape backslash, double quote and newline (exposition format, "Text format details").
const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const renderLabels = (l: Labels, extra: Array<[string, string]> = []) => {
  const all = [...Object.entries(l), ...extra];
  return all.length === 0 ? '' : `{${all.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
};
const num = (v: number) => (Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN');

/** The text exposition of a snapshot; families without help are left out. */
export function renderSnapshot(snap: MetricsSnapshot, help: Readonly<Record<string, MetricHelp>>): string {
  const lines: string[] = [];
  for (const [name, h] of Object.entries(help)) {
    lines.push(`# HELP ${name} ${h.help}`, `# TYPE ${name} ${h.type}`);
    if (h.type === 'counter' || h.type === 'gauge') {
      for (const s of (h.type === 'counter' ? snap.counters : snap.gauges)[name] ?? []) lines.push(`${name}${renderLabels(s.labels)} ${num(s.value)}`);
    } else {
      const family = snap.histograms[name];
      for (const s of family?.series ?? []) {
        let cumulative = 0;
        family!.bounds.forEach((b, i) => {
          cumulative += s.counts[i]!;
          lines.push(`${name}_bucket${renderLabels(s.labels, [['le', String(b)]])} ${cumulative}`);
        });
        cumulative += s.counts[family!.bounds.length]!;
        lines.push(`${name}_bucket${renderLabels(s.labels, [['le', '+Inf']])} ${cumulative}`);
        lines.push(`${name}_sum${renderLabels(s.labels)} ${num(s.sum)}`, `${name}_count${renderLabels(s.labels)} ${cumulative}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
