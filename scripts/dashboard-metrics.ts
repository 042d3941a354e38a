// Metric names on both sides of the Grafana dashboard check: those a PromQL expression queries, and those a
// /metrics page exports (a histogram exports <name>_bucket, _sum and _count). A dashboard panel on a name nobody
// exports is empty forever and nobody notices; the runtime-image test compares the two.

/** PromQL functions, aggregations and keywords: identifiers that are never metric names. */
const NOT_METRICS = new Set([
  // aggregation operators and their modifiers
  'sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio',
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'and', 'or', 'unless', 'atan2',
  // functions
  'abs', 'absent', 'absent_over_time', 'ceil', 'changes', 'clamp', 'clamp_max', 'clamp_min', 'day_of_month', 'day_of_week', 'day_of_year',
  'days_in_month', 'delta', 'deriv', 'exp', 'floor', 'histogram_quantile', 'histogram_count', 'histogram_sum', 'histogram_fraction',
  'holt_winters', 'hour', 'idelta', 'increase', 'irate', 'label_join', 'label_replace', 'ln', 'log2', 'log10', 'minute', 'month',
  'predict_linear', 'rate', 'resets', 'round', 'scalar', 'sgn', 'sort', 'sort_desc', 'sqrt', 'time', 'timestamp', 'vector', 'year',
  'avg_over_time', 'min_over_time', 'max_over_time', 'sum_over_time', 'count_over_time', 'quantile_over_time', 'stddev_over_time',
  'stdvar_over_time', 'last_over_time', 'present_over_time', 'inf', 'nan',
  // Grafana's templating helpers
  'label_values', 'query_result', 'metrics', 'label_names',
]);

/** Metric names an expression reads. */
export function promqlMetricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ') // string literals
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ') // Grafana variables
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // ranges and subqueries
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' '); // label lists
  const names = new Set<string>();
  for (const m of stripped.matchAll(/(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)/g)) {
    if (!NOT_METRICS.has(m[1]) && !/^\d/.test(m[1])) names.add(m[1]);
  }
  // label_values(metric, label): the first argument is a metric, the second a label.
  for (const m of expr.matchAll(/label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{[^}]*\})?\s*,\s*(\w+)\s*\)/g)) names.delete(m[2]);
  return [...names];
}

/** Every PromQL expression of a dashboard: panel targets (rows' nested panels too) and query variables. */
export function dashboardExpressions(dashboard: { panels?: unknown[]; templating?: { list?: unknown[] } }): string[] {
  const exprs: string[] = [];
  const visit = (panels: unknown[] = []) => {
    for (const panel of panels as Array<{ targets?: Array<{ expr?: string }>; panels?: unknown[] }>) {
      for (const t of panel.targets ?? []) if (t.expr) exprs.push(t.expr);
      visit(panel.panels);
    }
  };
  visit(dashboard.panels);
  for (const v of (dashboard.templating?.list ?? []) as Array<{ type?: string; query?: string | { query?: string } }>) {
    if (v.type !== 'query') continue;
    const q = typeof v.query === 'string' ? v.query : v.query?.query;
    if (q) exprs.push(q);
  }
  return exprs;
}

export function dashboardMetricNames(dashboard: Parameters<typeof dashboardExpressions>[0]): string[] {
  return [...new Set(dashboardExpressions(dashboard).flatMap(promqlMetricNames))].sort();
}

/** Names a Prometheus text page exports: every sample's, and each histogram's and summary's series names. */
export function exportedMetricNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\w+)/.exec(line);
    if (type) {
      names.add(type[1]);
      if (type[2] === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(type[1] + s);
      if (type[2] === 'summary') for (const s of ['_sum', '_count']) names.add(type[1] + s);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (sample) names.add(sample[1]);
  }
  return names;
}
