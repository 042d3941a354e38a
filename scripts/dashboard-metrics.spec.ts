import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardExpressions, dashboardMetricNames, exportedMetricNames, promqlMetricNames } from './dashboard-metrics';

describe('promqlMetricNames', () => {
  it.each([
    ['sum by (phase) (keelson_executions{namespace=~"$ns"})', ['keelson_executions']],
    ['histogram_quantile(0.99, sum by (le, part) (rate(keelson_execution_start_latency_seconds_bucket[$__rate_interval])))', ['keelson_execution_start_latency_seconds_bucket']],
    ['rate(a_total[5m]) / ignoring(result) group_left rate(b_total{x="sum(c)"}[5m]) or on(controller) vector(0)', ['a_total', 'b_total']],
    ['max_over_time(nodejs_eventloop_lag_p99_seconds[10m:1m]) > 0.5', ['nodejs_eventloop_lag_p99_seconds']],
    ['label_values(controller_runtime_reconcile_total, controller)', ['controller_runtime_reconcile_total']],
    ['topk(5, sum without (instance) (increase(workqueue_retries_total[1h])))', ['workqueue_retries_total']],
  ])('finds the metrics of %s', (expr, names) => {
    expect(promqlMetricNames(expr)).toEqual(names);
  });
});

describe('exportedMetricNames', () => {
  it('names histogram series and samples', () => {
    const text = '# HELP h x\n# TYPE h histogram\nh_bucket{le="1"} 0\n# TYPE c counter\nc_total 3\n# TYPE g gauge\n';
    expect([...exportedMetricNames(text)].sort()).toEqual(['c', 'c_total', 'g', 'h', 'h_bucket', 'h_count', 'h_sum']);
  });
});

describe('the Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(join(__dirname, '..', 'charts', 'keelson', 'dashboards', 'keelson.json'), 'utf8'));

  it('gives every panel a query and a title, and uses the datasource variable', () => {
    const panels = (dashboard.panels as Array<{ type: string; title: string; targets?: unknown[]; datasource?: { uid: string } }>).filter((p) => p.type !== 'row');
    expect(panels.length).toBeGreaterThan(15);
    for (const p of panels) {
      expect({ title: p.title, targets: (p.targets ?? []).length > 0 }).toEqual({ title: expect.any(String), targets: true });
      expect(p.datasource?.uid).toBe('${datasource}');
    }
    expect(dashboardExpressions(dashboard).length).toBeGreaterThan(panels.length - 1);
    expect(new Set((dashboard.panels as Array<{ id: number }>).map((p) => p.id)).size).toBe(dashboard.panels.length);
  });

  it('queries only names Keelson or Node.js exports (the runtime-image test checks them against a running manager)', () => {
    for (const name of dashboardMetricNames(dashboard)) expect(name).toMatch(/^(keelson_|controller_runtime_|workqueue_|process_|nodejs_)/);
  });
});
