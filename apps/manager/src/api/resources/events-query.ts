// The query of GET /api/v1/events, checked field by field: every refusal names its parameter (`/query/<name>`).
import type { FieldError } from '../problem/api-problem';
import { problemOf } from '../problem/problem-mapping';
import { RESOURCES, resourceByPlural, type ResourceDef } from './resource-kinds';
import { checkPath } from './resources.controller';

/** A step whose log the stream carries besides the resources (`log=<namespace>/<execution>/<stage>/<step>`). */
export interface FollowedLogRequest {
  namespace: string;
  execution: string;
  stage: number;
  step: number;
  /** The byte to start at (`logFrom`), 0 by default: the client passes the bytes it has on every reconnect. */
  from: number;
}

export interface EventsQuery {
  namespace?: string;
  resources: ResourceDef[];
  resourceVersion?: string;
  log?: FollowedLogRequest;
}

const PARAMETERS = ['namespace', 'resources', 'resourceVersion', 'log', 'logFrom'];
const INDEX = /^(0|[1-9]\d{0,2})$/;

export function parseEventsQuery(query: Record<string, unknown>): EventsQuery {
  const errors: FieldError[] = [];
  for (const key of Object.keys(query)) {
    if (!PARAMETERS.includes(key)) errors.push({ pointer: `/query/${key}`, detail: 'unknown query parameter' });
    else if (typeof query[key] !== 'string') errors.push({ pointer: `/query/${key}`, detail: 'given more than once' });
  }
  const text = (key: string) => (typeof query[key] === 'string' ? query[key] as string : undefined);
  const namespace = text('namespace');
  if (namespace !== undefined && !isPath(namespace)) errors.push({ pointer: '/query/namespace', detail: 'not a namespace name' });
  let resources = [...RESOURCES];
  const named = text('resources')?.split(',').map((r) => r.trim());
  if (named) {
    const unknown = named.filter((r) => !resourceByPlural(r));
    if (unknown.length) errors.push({ pointer: '/query/resources', detail: `unknown: ${unknown.join(', ')}; expected some of ${RESOURCES.map((r) => r.plural).join(', ')}` });
    else resources = RESOURCES.filter((r) => named.includes(r.plural));
  }
  const resourceVersion = text('resourceVersion');
  if (resourceVersion !== undefined && !/^\d{1,20}$/.test(resourceVersion)) errors.push({ pointer: '/query/resourceVersion', detail: 'expected a resourceVersion (digits)' });
  const log = followedLog(text('log'), text('logFrom'), errors);
  if (errors.length) throw problemOf(400, errors.map((e) => `${e.pointer.slice(7)}: ${e.detail}`).join('; '), { errors });
  return { ...(namespace !== undefined && { namespace }), resources, ...(resourceVersion !== undefined && { resourceVersion }), ...(log && { log }) };
}

function followedLog(log: string | undefined, logFrom: string | undefined, errors: FieldError[]): FollowedLogRequest | undefined {
  if (log === undefined) {
    if (logFrom !== undefined) errors.push({ pointer: '/query/logFrom', detail: 'only with log' });
    return undefined;
  }
  const parts = log.split('/');
  const [namespace, execution, stage, step] = parts;
  if (parts.length !== 4 || !isPath(namespace, execution) || !INDEX.test(stage) || !INDEX.test(step) || Number(stage) > 255 || Number(step) > 255) {
    errors.push({ pointer: '/query/log', detail: 'expected <namespace>/<execution>/<stage>/<step>, stage and step indexes from 0 to 255' });
    return undefined;
  }
  if (logFrom !== undefined && !/^\d{1,16}$/.test(logFrom)) {
    errors.push({ pointer: '/query/logFrom', detail: 'expected a byte offset (digits)' });
    return undefined;
  }
  return { namespace, execution, stage: Number(stage), step: Number(step), from: logFrom === undefined ? 0 : Number(logFrom) };
}

function isPath(namespace: string, name?: string): boolean {
  try {
    checkPath(namespace, name);
    return true;
  } catch {
    return false;
  }
}
