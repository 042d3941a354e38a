// Why a stopped execution ended: a person's stop, or a newer run of its branch (`cancelSuperseded`). The newer run
// is named in the `Superseded` condition, which the execution controller writes before it sets spec.stop; a stop
// through the API is named in the `StopRequested` condition (who, and their reason), which the API writes before
// it sets spec.stop. The status is the manager's alone (ADR 0004), so nobody else can put words in it: a
// `kubectl patch` of spec.stop ends the run "stopped on request", naming nobody.
import type { PipelineExecution } from '@keelson/crds';

export const SUPERSEDED_CONDITION = 'Superseded';
export const STOP_REQUESTED_CONDITION = 'StopRequested';
/** The longest reason a stop through the API may give (in characters). */
export const STOP_REASON_MAX_LENGTH = 500;

/**
 * `stopped by "alice": the deploy window closed`, one line, within status.reason's bounds. Control and format
 * characters (terminal escapes, bidi overrides) become spaces: status.reason is a kubectl column, printed raw.
 */
export function stopRequestMessage(user: string, reason?: string): string {
  const why = reason?.replace(/[\s\p{Cc}\p{Cf}]+/gu, ' ').trim();
  return `stopped by ${JSON.stringify(user)}${why ? `: ${why}` : ''}`.slice(0, 1024);
}

export function supersededMessage(newer: string): string {
  return `superseded by ${newer}`;
}

/** The final reason of a stopped execution. */
export function stopReason(exe: PipelineExecution, otherwise = 'stopped on request'): string {
  const said = (type: string) => exe.status?.conditions?.find((c) => c.type === type && c.status === 'True')?.message;
  return said(SUPERSEDED_CONDITION) ?? said(STOP_REQUESTED_CONDITION) ?? otherwise;
}
