// The pipeline controller: spec checks into a Ready condition, the run counter initialised, and the webhook's
// secret made (status.webhook says where to deliver and which Secret signs). Its executions
// are owned by it and go with it; each execution's finalizer deletes that execution's Jenkins job.
import type { Condition } from '@keelson/crds';
import { validateRepoPath, validateRepositoryUrl } from '@keelson/git-source';
import { Informer, Keelson, KubeClient, ReconcileResult, type ObjectOf } from '@keelson/kube';
import { Logger } from '@keelson/observability';
import { setCondition } from '../pipeline-execution/pipeline-execution.reconciler';
import { sameValue } from '../same-value';
import { webhookSecretName, type WebhookSecrets } from '../../hooks/webhook-secrets';
import { PROVIDER_WEBHOOK_FINALIZER, type ProviderWebhooks, type Registration } from './provider-webhook';

type Pipeline = ObjectOf<typeof Keelson.Pipeline>;

export interface PipelineReconcilerDeps {
  kube: KubeClient;
  pipelines: Informer<Pipeline>;
  allowFileRepositories: boolean;
  webhookSecrets: WebhookSecrets;
  /** The manager's public URL (PUBLIC_URL); no webhook URL is shown without it. */
  publicUrl?: string;
  /** Registers webhooks at providers; without it, URL and secret are only shown for registering by hand. */
  providerWebhooks?: ProviderWebhooks;
  logger: Logger;
  now?: () => Date;
}

export class PipelineReconciler {
  constructor(private readonly deps: PipelineReconcilerDeps) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    // The cached copy is enough: the only write is conditional on its resourceVersion (a 409 retries).
    const pipeline = this.deps.pipelines.get(key);
    if (!pipeline) return ReconcileResult.done();
    if (pipeline.metadata.deletionTimestamp) return this.deleted(pipeline);
    let conditions = setCondition(pipeline.status?.conditions, this.readyCondition(pipeline));
    const counterMissing = pipeline.status?.nextRun === undefined;
    const webhook = await this.webhook(pipeline);
    const { registration, resourceVersion } = await this.register(pipeline, webhook);
    if (registration) {
      if (registration.state === 'registered') webhook.id = registration.id;
      conditions = setCondition(conditions, {
        type: 'WebhookRegistered', status: registration.state === 'registered' ? 'True' : 'False',
        reason: registration.state === 'registered' ? 'Registered' : registration.state === 'none' ? 'NotManaged' : 'ProviderError',
        message: registration.message, lastTransitionTime: this.iso(), observedGeneration: pipeline.metadata.generation,
      });
    }
    if (counterMissing || !sameValue(conditions, pipeline.status?.conditions) || pipeline.status?.observedGeneration !== pipeline.metadata.generation
      || !sameValue(webhook, pipeline.status?.webhook)) {
      await this.deps.kube.resource(Keelson.Pipeline).patchStatus(pipeline.metadata.namespace, pipeline.metadata.name!, {
        conditions, observedGeneration: pipeline.metadata.generation, ...(counterMissing ? { nextRun: 1 } : {}), webhook,
      // A hook just made at the provider must be recorded whatever else changed meanwhile, or the next reconcile
      // would not know it and replace it.
      }, registration?.state === 'registered' && registration.id !== pipeline.status?.webhook?.id ? undefined : resourceVersion);
    }
    return registration?.state === 'failed' ? ReconcileResult.requeueAfter(registration.retryAfterMs ?? 60_000) : ReconcileResult.done();
  }

  /** Registers the hook at the provider, the finalizer first so that a hook is never left behind unknown. */
  private async register(pipeline: Pipeline, webhook: { url?: string }): Promise<{ registration?: Registration; resourceVersion?: string }> {
    const unchanged = { resourceVersion: pipeline.metadata.resourceVersion };
    const registrar = this.deps.providerWebhooks;
    if (!registrar || !webhook.url || !pipeline.spec.credentialRef) return unchanged;
    const secret = await this.deps.webhookSecrets.secretOf(pipeline.metadata.namespace!, pipeline.metadata.name!);
    if (!secret) return unchanged;
    const finalizers = pipeline.metadata.finalizers ?? [];
    if (!finalizers.includes(PROVIDER_WEBHOOK_FINALIZER)) {
      pipeline = await this.deps.kube.resource(Keelson.Pipeline).patch(pipeline.metadata.namespace, pipeline.metadata.name!, {
        metadata: { resourceVersion: pipeline.metadata.resourceVersion, finalizers: [...finalizers, PROVIDER_WEBHOOK_FINALIZER] },
      });
    }
    return { registration: await registrar.ensure(pipeline, webhook.url, secret), resourceVersion: pipeline.metadata.resourceVersion };
  }

  /** A deleted Pipeline: its hook at the provider goes, then the finalizer. */
  private async deleted(pipeline: Pipeline): Promise<ReconcileResult> {
    const finalizers = pipeline.metadata.finalizers ?? [];
    if (!finalizers.includes(PROVIDER_WEBHOOK_FINALIZER)) return ReconcileResult.done();
    const removal = (await this.deps.providerWebhooks?.remove(pipeline)) ?? { state: 'none' as const, message: 'no registrar' };
    if (removal.state === 'failed' && removal.retryAfterMs !== undefined) return ReconcileResult.requeueAfter(removal.retryAfterMs);
    this.deps.logger.info({ namespace: pipeline.metadata.namespace, pipeline: pipeline.metadata.name, outcome: removal.message }, 'pipeline webhook released');
    await this.deps.kube.resource(Keelson.Pipeline).patch(pipeline.metadata.namespace, pipeline.metadata.name!, {
      metadata: { resourceVersion: pipeline.metadata.resourceVersion, finalizers: finalizers.filter((f) => f !== PROVIDER_WEBHOOK_FINALIZER) },
    });
    return ReconcileResult.done();
  }

  /** Makes the webhook Secret when it is missing (a deleted one comes back with a new secret). */
  private async webhook(pipeline: Pipeline): Promise<NonNullable<NonNullable<Pipeline['status']>['webhook']>> {
    const { namespace, name } = pipeline.metadata;
    const secrets = this.deps.webhookSecrets;
    const secretName = (await secrets.secretOf(namespace!, name!)) ? webhookSecretName(name!) : await secrets.ensure(pipeline);
    const id = pipeline.status?.webhook?.id;
    const base = this.deps.publicUrl?.replace(/\/+$/, '');
    return {
      ...(base && { url: `${base}/hooks/pipelines/${encodeURIComponent(namespace!)}/${encodeURIComponent(name!)}` }),
      secretName, ...(id && { id }),
    };
  }

  private readyCondition(pipeline: Pipeline): Condition {
    const base = { type: 'Ready', lastTransitionTime: this.iso(), observedGeneration: pipeline.metadata.generation };
    try {
      validateRepositoryUrl(pipeline.spec.repositoryUrl, { allowFileProtocol: this.deps.allowFileRepositories });
      validateRepoPath(pipeline.spec.configPath ?? '.devops.yml');
    } catch (err) {
      return { ...base, status: 'False', reason: 'InvalidSpec', message: (err as Error).message.slice(0, 1024) };
    }
    if (pipeline.spec.suspend) return { ...base, status: 'False', reason: 'Suspended', message: 'triggers create no executions while suspended' };
    return { ...base, status: 'True', reason: 'Valid', message: 'the pipeline can run' };
  }

  private iso(): string {
    return (this.deps.now?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}
