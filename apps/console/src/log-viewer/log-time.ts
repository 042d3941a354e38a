// Times shown in the log. Jenkins' plain output carries no time per line, so a line's time is when Keelson
// stored it: the write time of the chunk it starts in, kept as marks with the line index (at most one per second,
// docs/logs.md); lines that arrive live have the time they arrived by this browser's clock. GitLab section
// markers' unix seconds and the step's start (from the execution's status) are shown too. Each is shown as a
// clock time in the chosen zone or as elapsed since the step started.
import { formatDuration } from '../components/format';
import type { TimestampMode } from '../settings/preferences';

// One formatter per zone: a long log formats a time per row on screen at every scroll.
const clocks = new Map<string, Intl.DateTimeFormat>();

export function formatClock(ms: number, timeZone: string): string {
  let clock = clocks.get(timeZone);
  if (!clock) {
    const zone = timeZone === 'local' ? undefined : timeZone;
    clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZone: zone, timeZoneName: zone ? 'short' : undefined });
    clocks.set(timeZone, clock);
  }
  return clock.format(ms);
}

/** "+1m 05s" from the step's start (falls back to the clock when the start is unknown). */
export function formatLogTime(ms: number, mode: TimestampMode, timeZone: string, stepStartMs?: number): string | undefined {
  if (mode === 'off' || !Number.isFinite(ms)) return undefined;
  if (mode === 'elapsed' && stepStartMs !== undefined && Number.isFinite(stepStartMs)) return `+${formatDuration(Math.max(0, ms - stepStartMs))}`;
  return formatClock(ms, timeZone);
}
