// The query string of a list or watch, checked as hostile input: every bad parameter is named at once, as a JSON
// pointer `/query/<name>` in a 400 problem.
import { EXECUTION_PHASES, TRIGGER_EVENTS } from '@keelson/crds';
import type { FieldError } from '../problem/api-problem';
import { problemOf } from '../problem/problem-mapping';
import { CREDENTIAL_LABEL } from '../../source-code/token-secret';
import { LabelSelector, parseLabelSelector, SelectorError } from './label-selector';
import type { ListFilter, ResourceDef } from './resource-kinds';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 500;

export interface ListFilters {
  pipeline?: string;
  phase?: string[];
  branch?: string;
  event?: string;
  /** Who started it (spec.trigger.user): a manual run's or a rerun's user. */
  user?: string;
  /** Created at or after (ms since the epoch). */
  since?: number;
  /** Created at or before. */
  until?: number;
}

export interface ListQuery {
  limit: number;
  continue?: string;
  selector?: LabelSelector;
  filters: ListFilters;
  watch: boolean;
  /** Where a watch starts when no Last-Event-ID says so. */
  resourceVersion?: string;
}

const COMMON = ['limit', 'continue', 'labelSelector', 'watch', 'resourceVersion'] as const;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const BRANCH = /^[^\s~^:?*[\\\x00-\x1f\x7f]{1,255}$/;
const RESOURCE_VERSION = /^\d{1,20}$/;
/** Filters on fields a watch can follow: they never change once an execution exists. */
const WATCHABLE_FILTERS: readonly ListFilter[] = ['pipeline', 'branch', 'event', 'user'];

/** What `?watch=true&...` or a list's query asks for, or a 400 naming every parameter that is wrong. */
export function parseListQuery(def: Pick<ResourceDef, 'plural' | 'filters'>, query: Record<string, unknown>): ListQuery {
  const errors: FieldError[] = [];
  const bad = (name: string, detail: string) => errors.push({ pointer: `/query/${name}`, detail });
  const text = (name: string): string | undefined => {
    const v = query[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') {
      bad(name, 'given more than once');
      return undefined;
    }
    return v;
  };

  for (const name of Object.keys(query)) {
    if ((COMMON as readonly string[]).includes(name)) continue;
    if (isFilter(name) && def.filters.includes(name)) continue;
    bad(name, isFilter(name) ? `${def.plural} cannot be filtered by ${name}` : 'unknown query parameter');
  }

  const watchText = text('watch');
  const watch = watchText === 'true' || watchText === '1';
  if (watchText !== undefined && !watch && watchText !== 'false' && watchText !== '0') bad('watch', 'expected true or false');

  let limit = DEFAULT_LIMIT;
  const limitText = text('limit');
  if (limitText !== undefined) {
    limit = /^\d{1,4}$/.test(limitText) ? Number(limitText) : NaN;
    if (!(limit >= 1 && limit <= MAX_LIMIT)) bad('limit', `expected a whole number from 1 to ${MAX_LIMIT}`);
  }
  const cont = text('continue');
  if (cont !== undefined && (cont.length === 0 || cont.length > 4096)) bad('continue', 'expected the continue token of a previous page');

  let selector: LabelSelector | undefined;
  const selectorText = text('labelSelector');
  if (selectorText !== undefined) {
    try {
      selector = parseLabelSelector(selectorText);
    } catch (err) {
      if (!(err instanceof SelectorError)) throw err;
      bad('labelSelector', `not a label selector: ${err.message}`);
    }
  }
  const resourceVersion = text('resourceVersion');
  if (resourceVersion !== undefined && !RESOURCE_VERSION.test(resourceVersion)) bad('resourceVersion', 'expected a resourceVersion (digits)');

  const filters: ListFilters = {};
  const pipeline = text('pipeline');
  if (pipeline !== undefined) {
    if (DNS_SUBDOMAIN.test(pipeline)) filters.pipeline = pipeline;
    else bad('pipeline', 'expected the name of a Pipeline');
  }
  // `credential` (repositories) is the label the credential controller puts on each repository it lists.
  const credential = text('credential');
  if (credential !== undefined) {
    if (DNS_SUBDOMAIN.test(credential) && credential.length <= 63) {
      const requirement = `${CREDENTIAL_LABEL}=${credential}`;
      selector = parseLabelSelector(selector?.raw.trim() ? `${selector.raw},${requirement}` : requirement);
    } else bad('credential', 'expected the name of a SourceCodeCredential');
  }
  const phase = text('phase');
  if (phase !== undefined) {
    const phases = phase.split(',');
    const unknown = phases.filter((p) => !(EXECUTION_PHASES as readonly string[]).includes(p));
    if (unknown.length) bad('phase', `expected phases from ${EXECUTION_PHASES.join(', ')}, separated by commas`);
    else filters.phase = phases;
  }
  const branch = text('branch');
  if (branch !== undefined) {
    if (BRANCH.test(branch)) filters.branch = branch;
    else bad('branch', 'expected a branch name');
  }
  const event = text('event');
  if (event !== undefined) {
    if ((TRIGGER_EVENTS as readonly string[]).includes(event)) filters.event = event;
    else bad('event', `expected one of ${TRIGGER_EVENTS.join(', ')}`);
  }
  const user = text('user');
  if (user !== undefined) {
    if (user.length >= 1 && user.length <= 253) filters.user = user;
    else bad('user', 'expected a user name of 1 to 253 characters');
  }
  for (const name of ['since', 'until'] as const) {
    const t = text(name);
    if (t === undefined) continue;
    const ms = /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(t) ? Date.parse(t) : NaN;
    if (Number.isFinite(ms)) filters[name] = ms;
    else bad(name, 'expected an RFC 3339 time, e.g. 2030-01-31T12:00:00Z');
  }

  if (watch) {
    for (const name of Object.keys(filters) as ListFilter[]) {
      if (!WATCHABLE_FILTERS.includes(name)) bad(name, `a watch cannot follow ${name}, which changes or is a range; filter the events yourself`);
    }
    if (cont !== undefined) bad('continue', 'a watch does not page');
    if (limitText !== undefined) bad('limit', 'a watch does not page');
  }

  if (errors.length) throw problemOf(400, errors.map((e) => `${e.pointer.slice('/query/'.length)}: ${e.detail}`).join('; '), { errors });
  return { limit, ...(cont !== undefined && { continue: cont }), ...(selector && { selector }), filters, watch, ...(resourceVersion !== undefined && { resourceVersion }) };
}

function isFilter(name: string): name is ListFilter {
  return ['pipeline', 'phase', 'branch', 'event', 'user', 'since', 'until', 'credential'].includes(name);
}
