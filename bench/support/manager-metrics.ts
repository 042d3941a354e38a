// Samples of the manager's own Prometheus endpoint (GET <manager>/metrics), for cross-checks.

export async function managerMetrics(managerUrl: string): Promise<Map<string, number>> {
  const res = await fetch(`${managerUrl}/metrics`);
  if (!res.ok) throw new Error(`GET ${managerUrl}/metrics: ${res.status}`);
  const out = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    out.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return out;
}

/** Sum of every series of a metric (all label combinations). */
export function metricSum(samples: Map<string, number>, name: string): number {
  let sum = 0;
  for (const [series, value] of samples) if (series === name || series.startsWith(`${name}{`)) sum += value;
  return sum;
}

/**
 * Quantile of a Prometheus histogram from its cumulative buckets (difference of two samples): the upper
 * bound of the bucket holding it, as `<= Xs` (`> Xs` beyond the last finite bucket).
 */
export function histogramQuantile(after: Map<string, number>, before: Map<string, number>, name: string, q: number): { count: number; bound: string } {
  const buckets: Array<[number, number]> = [];
  for (const [series, value] of after) {
    const m = new RegExp(`^${name}_bucket\\{.*le="([^"]+)".*\\}$`).exec(series);
    if (m) buckets.push([m[1] === '+Inf' ? Infinity : Number(m[1]), value - (before.get(series) ?? 0)]);
  }
  buckets.sort((a, b) => a[0] - b[0]);
  const count = buckets.at(-1)?.[1] ?? 0;
  if (count === 0) return { count, bound: 'n/a' };
  const finite = buckets.filter(([le]) => Number.isFinite(le));
  for (const [le, cumulative] of buckets) {
    if (cumulative >= q * count) return { count, bound: Number.isFinite(le) ? `<= ${le} s` : `> ${finite.at(-1)?.[0]} s` };
  }
  return { count, bound: 'n/a' };
}
