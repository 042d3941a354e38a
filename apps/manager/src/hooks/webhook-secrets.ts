// Each Pipeline's webhook secret lives in a Secret of its namespace, named after the pipeline and owned by it.
// The route names the pipeline, so the route chooses the secret, never the body. Reads are cached a few
// seconds: a burst of deliveries costs one apiserver read, and a rotated secret is seen soon after.
import { randomBytes } from 'node:crypto';
import type { Pipeline } from '@keelson/crds';
import { labelValue } from '@keelson/engine-jenkins';
import { Core, isAlreadyExists, KubeClient } from '@keelson/kube';

export const WEBHOOK_SECRET_KEY = 'secret';
export const WEBHOOK_SECRET_LABEL = 'keelson.dev/webhook-secret';

/** `keelson-webhook-<pipeline>`, hashed when the pipeline's name is too long for it (253). */
export function webhookSecretName(pipeline: string): string {
  const name = `keelson-webhook-${pipeline}`;
  return name.length <= 253 ? name : `keelson-webhook-${labelValue(pipeline)}`;
}

export class WebhookSecrets {
  private readonly cache = new Map<string, { value: string | undefined; until: number }>();

  constructor(private readonly kube: KubeClient, private readonly ttlMs = 5000, private readonly now: () => number = Date.now) {}

  /** The pipeline's secret; undefined when its Secret or key is missing (the caller refuses: fail closed). */
  async secretOf(namespace: string, pipeline: string): Promise<string | undefined> {
    const key = `${namespace}/${pipeline}`;
    const cached = this.cache.get(key);
    if (cached && cached.until > this.now()) return cached.value;
    const secret = await this.kube.resource(Core.Secret).find(namespace, webhookSecretName(pipeline));
    const encoded = (secret?.data as Record<string, string> | undefined)?.[WEBHOOK_SECRET_KEY];
    const value = encoded ? Buffer.from(encoded, 'base64').toString('utf8') : undefined;
    if (this.cache.size > 10_000) this.cache.clear();
    // A miss is remembered only a moment: the pipeline controller may be creating the Secret right now.
    this.cache.set(key, { value: value || undefined, until: this.now() + (value ? this.ttlMs : 1000) });
    return value || undefined;
  }

  /** Creates the pipeline's Secret with a random secret unless it exists; returns its name. */
  async ensure(pipeline: Pipeline): Promise<string> {
    const namespace = pipeline.metadata.namespace!;
    const name = webhookSecretName(pipeline.metadata.name!);
    try {
      await this.kube.resource(Core.Secret).create({
        apiVersion: 'v1', kind: 'Secret',
        metadata: {
          name, namespace,
          labels: { [WEBHOOK_SECRET_LABEL]: 'true', 'keelson.dev/pipeline': labelValue(pipeline.metadata.name!) },
          ownerReferences: [{ apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', name: pipeline.metadata.name!, uid: pipeline.metadata.uid!, controller: true }],
        },
        type: 'Opaque',
        stringData: { [WEBHOOK_SECRET_KEY]: randomBytes(32).toString('hex') },
      });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    this.cache.delete(`${namespace}/${pipeline.metadata.name}`); // a miss remembered before must not outlive the Secret's creation
    return name;
  }
}
