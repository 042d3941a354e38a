// A push webhook in, at most one execution per event out (issue 11 §3). In order: the route's pipeline, the
// provider from the headers, the signature on the raw bytes with the pipeline's own secret, then the payload,
// the repository, the pipeline's triggers, and one create under a name derived from the event. The provider
// gets 2xx only once the execution (or the record of why nothing ran) exists, so its retry is always safe.
import { createHash } from 'node:crypto';
import type { Pipeline } from '@keelson/crds';
import { KubeClient } from '@keelson/kube';
import { Logger } from '@keelson/observability';
import type { DeliveryLog, DeliveryOutcome, DeliveryRecord } from '@keelson/queue';
import {
  decodeBody, deliveryId, detectProvider, eventName, isPipelineRepository, parseDelivery, triggerVerdict, verifySignature,
  WebhookPayloadError, type Headers, type RunEvent, type WebhookEvent,
} from '@keelson/webhooks';
import { HookError } from './hook-error';
import { webhookExecution } from './webhook-execution';
import { withWebhookProof, type ManagerKey } from './webhook-proof';
import type { WebhookSecrets } from './webhook-secrets';
import { createOnce } from './create-once';

export interface HookAnswer {
  status: number;
  body: { outcome: DeliveryOutcome; message: string; executions?: string[]; ignored?: string[] };
}

export interface WebhookIntakeDeps {
  kube: KubeClient;
  /** The pipeline, from the informer's cache when it has it. */
  pipelineOf(namespace: string, name: string): Promise<Pipeline | undefined>;
  secrets: WebhookSecrets;
  deliveries: DeliveryLog;
  /** Signs each execution it makes (webhook-proof.ts). */
  key: ManagerKey;
  logger: Logger;
  now?: () => Date;
}

/** What a delivery id may look like to be used as a key as sent; anything else is hashed. */
const PLAIN_DELIVERY_ID = /^[A-Za-z0-9._:{}-]{1,128}$/;

export class WebhookIntake {
  constructor(private readonly deps: WebhookIntakeDeps) {}

  async receive(namespace: string, name: string, headers: Headers, body: Buffer): Promise<HookAnswer> {
    const pipeline = await this.deps.pipelineOf(namespace, name);
    if (!pipeline) throw new HookError(404, `pipeline ${namespace}/${name} not found`);
    const provider = detectProvider(headers);
    const refuse = async (status: number, message: string, extra: Partial<DeliveryRecord> = {}): Promise<never> => {
      // A refusal is recorded when it can be; the answer does not wait on Redis being there.
      await this.record(namespace, name, { ...extra, provider, outcome: 'refused', reason: message, status }).catch(() => undefined);
      throw new HookError(status, message);
    };
    if (!provider) return refuse(400, 'no provider event header: expected X-GitHub-Event, X-Gitlab-Event, X-Gitea-Event or X-Event-Key');
    const event = eventName(provider, headers).slice(0, 100);
    const secret = await this.deps.secrets.secretOf(namespace, name);
    if (!secret) return refuse(403, `pipeline ${namespace}/${name} has no webhook secret yet; nothing is accepted without one`, { event });
    const verdict = verifySignature(provider, headers, body, secret);
    if (!verdict.ok) return refuse(401, `signature refused: ${verdict.reason}`, { event });

    const id = deliveryKey(deliveryId(provider, headers), body);
    const base = { id, provider, event };
    // Asked while the body is parsed: a redelivery is answered from its first outcome.
    const earlierOutcome = this.deps.deliveries.outcomeOf(namespace, name, id).catch(() => undefined);
    let events: WebhookEvent[];
    try {
      events = parseDelivery(provider, event, decodeBody(header(headers, 'content-type'), body));
    } catch (err) {
      if (err instanceof WebhookPayloadError) return refuse(400, err.message, base);
      throw err;
    }
    const earlier = await earlierOutcome;
    if (earlier && earlier.outcome !== 'refused') {
      this.recordLater(namespace, name, { ...base, outcome: 'duplicate', reason: `delivery ${id} was received before`, executions: earlier.executions, status: 200 });
      return { status: 200, body: { outcome: 'duplicate', message: `delivery ${id} was received before`, executions: earlier.executions } };
    }
    const foreign = events.find((e) => e.repository && !isPipelineRepository(e.repository, pipeline.spec.repositoryUrl));
    if (foreign) return refuse(422, `the delivery is for repository ${JSON.stringify(foreign.repository!.fullName.slice(0, 200))}, not this pipeline's ${pipeline.spec.repositoryUrl}`, base);

    const created: string[] = [];
    const duplicates: string[] = [];
    const ignored: string[] = [];
    for (const e of events) {
      const why = this.whyNot(pipeline, e);
      if (why) {
        ignored.push(why);
        continue;
      }
      const exe = withWebhookProof(await this.deps.key(), webhookExecution(pipeline, e as RunEvent, id));
      ((await createOnce(this.deps.kube, exe)) === 'created' ? created : duplicates).push(exe.metadata.name!);
    }
    const outcome: DeliveryOutcome = created.length > 0 ? 'created' : duplicates.length > 0 ? 'duplicate' : 'ignored';
    const executions = [...created, ...duplicates];
    const status = created.length > 0 ? 201 : 200;
    const message = outcome === 'created' ? `created ${created.join(', ')}`
      : outcome === 'duplicate' ? `already created: ${duplicates.join(', ')}` : `ignored: ${ignored.join('; ')}`;
    const entry: Omit<DeliveryRecord, 'time'> = { ...base, outcome, status, ...(executions.length > 0 && { executions }), ...(ignored.length > 0 && { reason: ignored.join('; ').slice(0, 2048) }) };
    // An execution that exists is the answer whatever happens to its record, which is written after answering.
    // An ignored delivery exists only as its record: without it, the provider must retry.
    if (executions.length > 0) this.recordLater(namespace, name, entry);
    else await this.record(namespace, name, entry).catch(() => {
      throw new HookError(503, 'the delivery could not be recorded; retry');
    });
    this.deps.logger.info({ namespace, pipeline: name, provider, event, delivery: id, outcome, executions }, 'webhook delivery');
    return { status, body: { outcome, message, ...(executions.length > 0 && { executions }), ...(ignored.length > 0 && { ignored }) } };
  }

  private whyNot(pipeline: Pipeline, event: WebhookEvent): string | undefined {
    if (event.kind === 'ignored') return event.reason;
    if (pipeline.spec.suspend) return `pipeline ${pipeline.metadata.name} is suspended (spec.suspend)`;
    const verdict = triggerVerdict(pipeline.spec.triggers, event);
    if (!verdict.run) return verdict.reason;
    if (event.pullRequest?.fork && !event.pullRequest.source.cloneUrl) return `pull request #${event.pullRequest.number} comes from a fork the provider names no clone URL for`;
    return undefined;
  }

  private recordLater(namespace: string, name: string, entry: Omit<DeliveryRecord, 'time'>): void {
    this.record(namespace, name, entry).catch((err: Error) => {
      this.deps.logger.warn({ namespace, pipeline: name, delivery: entry.id, err: err.message }, 'delivery record not written');
    });
  }

  private record(namespace: string, name: string, entry: Omit<DeliveryRecord, 'time'>): Promise<void> {
    return this.deps.deliveries.record(namespace, name, { ...entry, time: (this.deps.now?.() ?? new Date()).toISOString() } as DeliveryRecord);
  }
}

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The provider's delivery id when it is plain; else, or when there is none, a digest (of the id, or of the body). */
export function deliveryKey(sent: string | undefined, body: Buffer): string {
  if (sent !== undefined && PLAIN_DELIVERY_ID.test(sent)) return sent;
  const digest = createHash('sha256').update(sent ?? body).digest('hex').slice(0, 40);
  return sent === undefined ? `body-${digest}` : `id-${digest}`;
}
