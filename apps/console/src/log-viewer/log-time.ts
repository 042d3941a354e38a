// Times shown in the log. The log store keeps no time per line (Jenkins' output carries none and the manager adds
// none, docs/logs.md), so the only times are GitLab section markers' unix seconds and the step's start from the
// execution's status: section headers show those, as a clock time in the chosen zone or as elapsed since the
// step started.
import { formatDuration } from '../components/format';
import type { TimestampMode } from '../settings/preferences';

export function formatClock(ms: number, timeZone: string): string {
  const zone = timeZone === 'local' ? undefined : timeZone;
  return new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZone: zone, timeZoneName: zone ? 'short' : undefined }).format(ms);
}

/** "+1m 05s" from the step's start (falls back to the clock when the start is unknown). */
export function formatLogTime(ms: number, mode: TimestampMode, timeZone: string, stepStartMs?: number): string | undefined {
  if (mode === 'off' || !Number.isFinite(ms)) return undefined;
  if (mode === 'elapsed' && stepStartMs !== undefined && Number.isFinite(stepStartMs)) return `+${formatDuration(Math.max(0, ms - stepStartMs))}`;
  return formatClock(ms, timeZone);
}
