import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The process's Prometheus registry; /metrics renders it. */
export const metricsRegistry = new Registry();
let defaultsCollected = false;

export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

// Metrics are created once per name; a second request returns the first, so modules can declare what they use.
const made = new Map<string, Counter<string> | Gauge<string> | Histogram<string>>();

export function counter(name: string, help: string, labelNames: string[] = []): Counter<string> {
  return (made.get(name) as Counter<string>) ?? remember(name, new Counter({ name, help, labelNames, registers: [metricsRegistry] }));
}

export function gauge(name: string, help: string, labelNames: string[] = []): Gauge<string> {
  return (made.get(name) as Gauge<string>) ?? remember(name, new Gauge({ name, help, labelNames, registers: [metricsRegistry] }));
}

export function histogram(name: string, help: string, labelNames: string[] = [], buckets?: number[]): Histogram<string> {
  return (made.get(name) as Histogram<string>) ?? remember(name, new Histogram({ name, help, labelNames, buckets, registers: [metricsRegistry] }));
}

function remember<T extends Counter<string> | Gauge<string> | Histogram<string>>(name: string, metric: T): T {
  made.set(name, metric);
  return metric;
}

export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  return { contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() };
}
