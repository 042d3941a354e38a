// Durations and times as people read them.
import { readPreferences } from '../settings/preferences';

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${m % 60}m`;
}

/** From start to end, or to now while it runs; undefined before it started. */
export function elapsed(start?: string, end?: string, now = Date.now()): number | undefined {
  if (!start) return undefined;
  const a = Date.parse(start);
  const b = end ? Date.parse(end) : now;
  return Number.isFinite(a) && Number.isFinite(b) ? b - a : undefined;
}

/** In the time zone chosen on the settings page (the browser's by default). */
export function formatTime(iso?: string | Date, timeZone = readPreferences().timeZone): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return timeZone && timeZone !== 'local' ? d.toLocaleString(undefined, { timeZone, timeZoneName: 'short' }) : d.toLocaleString();
}

export function relativeTime(iso?: string, now = Date.now()): string {
  if (!iso) return '—';
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  if (ms < 60_000) return 'just now';
  return `${formatDuration(ms).split(' ')[0]} ago`;
}

export function shortSha(sha?: string): string {
  return sha ? sha.slice(0, 8) : '—';
}
