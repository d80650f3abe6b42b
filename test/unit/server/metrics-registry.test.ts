// The Prometheus text exposition of Keyhold's metrics (src/server/metrics/registry.ts): label values escaped,
// histogram buckets cumulative with +Inf, _sum and _count, and the snapshots of several processes merged.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { type MetricHelp, MetricsRegistry, mergeSnapshots, renderSnapshot } from '../../../src/server/metrics/registry.js';

const HELP: Record<string, MetricHelp> = {
  c_total: { type: 'counter', help: 'a counter' },
  h_seconds: { type: 'histogram', help: 'a histogram' },
  g: { type: 'gauge', help: 'a gauge' },
};

it('renders counters with escaped labels, cumulative histograms and gauges', () => {
  const r = new MetricsRegistry();
  r.inc('c_total', { op: 'a"b\\c\nd' });
  r.inc('c_total', { op: 'a"b\\c\nd' }, 2);
  for (const v of [0.5, 2, 7]) r.observe('h_seconds', [1, 5], { api: 's3' }, v);
  const text = renderSnapshot(r.snapshot({ g: [{ labels: {}, value: 4 }] }), HELP);
  assert.equal(
    text,
    [
      '# HELP c_total a counter',
      '# TYPE c_total counter',
      'c_total{op="a\\"b\\\\c\\nd"} 3',
      '# HELP h_seconds a histogram',
      '# TYPE h_seconds histogram',
      'h_seconds_bucket{api="s3",le="1"} 1',
      'h_seconds_bucket{api="s3",le="5"} 2',
      'h_seconds_bucket{api="s3",le="+Inf"} 3',
      'h_seconds_sum{api="s3"} 9.5',
      'h_seconds_count{api="s3"} 3',
      '# HELP g a gauge',
      '# TYPE g gauge',
      'g 4',
      '',
    ].join('\n'),
  );
});

it('adds up the counters and histograms of several processes and keeps their gauges apart', () => {
  const a = new MetricsRegistry();
  const b = new MetricsRegistry();
  a.inc('c_total', { op: 'x' });
  b.inc('c_total', { op: 'x' }, 4);
  b.inc('c_total', { op: 'y' });
  a.observe('h_seconds', [1, 5], {}, 0.1);
  b.observe('h_seconds', [1, 5], {}, 9);
  const merged = mergeSnapshots([a.snapshot({ g: [{ labels: { worker: '1' }, value: 1 }] }), b.snapshot({ g: [{ labels: { worker: '2' }, value: 0 }] })]);
  const text = renderSnapshot(merged, HELP);
  assert.match(text, /^c_total\{op="x"\} 5$/m);
  assert.match(text, /^c_total\{op="y"\} 1$/m);
  assert.match(text, /^h_seconds_bucket\{le="1"\} 1$/m);
  assert.match(text, /^h_seconds_bucket\{le="\+Inf"\} 2$/m);
  assert.match(text, /^g\{worker="1"\} 1\ng\{worker="2"\} 0$/m);
});
