// An image pushed to a project's registry, at most one execution per pipeline and manifest out (issue 11 §6).
// In order: the project's token (the route names the project), the envelope, then for each tagged manifest push
// the project's Pipelines whose `triggers.imagePush` names its repository, the tag filter, and one create under
// a name derived from (pipeline, repository, digest). The registry gets 2xx only once the executions, or the
// records of why nothing ran, exist; it retries anything else.
import type { Pipeline } from '@keelson/crds';
import { KubeClient } from '@keelson/kube';
import { Logger } from '@keelson/observability';
import type { DeliveryLog, DeliveryOutcome, DeliveryRecord } from '@keelson/queue';
import {
  header, imagePushVerdict, isRegistryEnvelopeType, parseRegistryEnvelope, verifyRegistryToken, WebhookPayloadError,
  type Headers, type ImagePushEvent, type RegistryEvent,
} from '@keelson/webhooks';
import { HookError } from './hook-error';
import { withWebhookProof, type ManagerKey } from './webhook-proof';
import { imageExecution } from './registry-execution';
import type { RegistryHookTokens } from './registry-hook-tokens';
import type { HookAnswer } from './webhook-intake.service';
import { createOnce } from './create-once';

export const REGISTRY_PROVIDER = 'registry';

export interface RegistryIntakeDeps {
  kube: KubeClient;
  /** The project's Pipelines, read fresh: a pipeline made a moment ago must not miss a push. */
  pipelinesOf(namespace: string): Promise<Pipeline[]>;
  tokens: Pick<RegistryHookTokens, 'tokenOf'>;
  deliveries: DeliveryLog;
  /** Signs each execution it makes (webhook-proof.ts). */
  key: ManagerKey;
  logger: Logger;
  now?: () => Date;
}

const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

/** What one push did to one pipeline: what its delivery list records. */
type Entry = { pipeline: string; record: Omit<DeliveryRecord, 'time'> };

export class RegistryIntake {
  constructor(private readonly deps: RegistryIntakeDeps) {}

  async receive(namespace: string, headers: Headers, body: Buffer): Promise<HookAnswer> {
    if (!DNS_LABEL.test(namespace)) throw new HookError(404, `project ${JSON.stringify(namespace.slice(0, 63))} not found`);
    const token = await this.deps.tokens.tokenOf(namespace);
    if (!token) throw new HookError(403, `project ${namespace} has no registry token yet (Secret keelson-registry-hook); nothing is accepted without one`);
    const verdict = verifyRegistryToken(headers.authorization, token);
    if (!verdict.ok) throw new HookError(401, `token refused: ${verdict.reason}`);
    const contentType = header(headers, 'content-type');
    if (!isRegistryEnvelopeType(contentType)) throw new HookError(415, `content type ${JSON.stringify((contentType ?? '').slice(0, 100))} is not a registry notification envelope`);
    let events: RegistryEvent[];
    try {
      events = parseRegistryEnvelope(contentType, body);
    } catch (err) {
      if (err instanceof WebhookPayloadError) throw new HookError(400, err.message);
      throw err;
    }

    const created: string[] = [];
    const duplicates: string[] = [];
    const ignored: string[] = [];
    const entries: Entry[] = [];
    const pushes = events.filter((e): e is ImagePushEvent => e.kind === 'image');
    for (const e of events) if (e.kind === 'ignored') ignored.push(e.reason);
    const pipelines = pushes.length > 0 ? await this.deps.pipelinesOf(namespace) : [];
    for (const push of pushes) {
      const image = `${push.repository}:${push.tag}`;
      const concerned = pipelines.filter((p) => p.spec.triggers?.imagePush?.enabled && p.spec.triggers.imagePush.repository === push.repository);
      if (concerned.length === 0) ignored.push(`no pipeline of ${namespace} runs on pushes to ${push.repository}`);
      for (const pipeline of concerned) {
        const name = pipeline.metadata.name!;
        const base = { id: push.id, provider: REGISTRY_PROVIDER, event: 'image' };
        const earlier = await this.deps.deliveries.outcomeOf(namespace, name, push.id).catch(() => undefined);
        if (earlier && earlier.outcome !== 'refused') {
          duplicates.push(...(earlier.executions ?? []));
          entries.push({ pipeline: name, record: { ...base, outcome: 'duplicate', reason: `event ${push.id} was received before`, executions: earlier.executions, status: 200 } });
          continue;
        }
        const why = pipeline.spec.suspend ? `pipeline ${name} is suspended (spec.suspend)` : verdictReason(imagePushVerdict(pipeline.spec.triggers, push));
        if (why) {
          ignored.push(`${image} for pipeline ${name}: ${why}`);
          entries.push({ pipeline: name, record: { ...base, outcome: 'ignored', reason: `${image}: ${why}`.slice(0, 2048), status: 200 } });
          continue;
        }
        const exe = withWebhookProof(await this.deps.key(), imageExecution(pipeline, push));
        // A duplicate: this manifest ran before (pushed again, under another tag, or a retry after a crash).
        const outcome: DeliveryOutcome = await createOnce(this.deps.kube, exe);
        (outcome === 'created' ? created : duplicates).push(exe.metadata.name!);
        entries.push({ pipeline: name, record: { ...base, outcome, status: outcome === 'created' ? 201 : 200, executions: [exe.metadata.name!], ...(outcome === 'duplicate' && { reason: `${push.repository}@${push.digest} ran before` }) } });
      }
    }

    for (const { pipeline, record } of entries) {
      try {
        await this.record(namespace, pipeline, record);
      } catch (err) {
        // A push that ran no pipeline exists only as its records: without them, the registry must retry. An
        // execution that exists is the answer for its event, whatever happens to the records.
        const ran = entries.some((e) => e.record.id === record.id && (e.record.executions?.length ?? 0) > 0);
        if (!ran) throw new HookError(503, 'the event could not be recorded; retry');
        this.deps.logger.warn({ namespace, pipeline, event: record.id, err: (err as Error).message }, 'registry event record not written');
      }
    }
    const executions = [...new Set([...created, ...duplicates])];
    const outcome: DeliveryOutcome = created.length > 0 ? 'created' : duplicates.length > 0 ? 'duplicate' : 'ignored';
    const message = outcome === 'created' ? `created ${created.join(', ')}`
      : outcome === 'duplicate' ? `already created: ${executions.join(', ')}` : `ignored: ${ignored.join('; ')}`;
    this.deps.logger.info({ namespace, provider: REGISTRY_PROVIDER, events: events.length, outcome, executions }, 'registry notification');
    return {
      status: created.length > 0 ? 201 : 200,
      body: { outcome, message: message.slice(0, 4096), ...(executions.length > 0 && { executions }), ...(ignored.length > 0 && { ignored: ignored.slice(0, 100) }) },
    };
  }

  private record(namespace: string, pipeline: string, entry: Omit<DeliveryRecord, 'time'>): Promise<void> {
    return this.deps.deliveries.record(namespace, pipeline, { ...entry, time: (this.deps.now?.() ?? new Date()).toISOString() } as DeliveryRecord);
  }
}

function verdictReason(verdict: { run: true } | { run: false; reason: string }): string | undefined {
  return verdict.run ? undefined : verdict.reason;
}
