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
