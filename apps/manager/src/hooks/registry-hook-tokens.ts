// Each project's registry token lives in a Secret of the project namespace, `keelson-registry-hook`, key
// `token`. The manager creates it when it provisions the project's data plane and writes it into the data-plane
// registry's notification config; the route `/hooks/registry/<namespace>` names the project, so the route picks
// the token, never the body. Reads are cached a few seconds, a miss only a moment (as for webhook secrets).
import { randomBytes } from 'node:crypto';
import { Core, isAlreadyExists, KubeClient } from '@keelson/kube';

export const REGISTRY_HOOK_SECRET = 'keelson-registry-hook';
export const REGISTRY_HOOK_TOKEN_KEY = 'token';
export const REGISTRY_HOOK_LABEL = 'keelson.dev/registry-hook';

export class RegistryHookTokens {
  private readonly cache = new Map<string, { value: string | undefined; until: number }>();

  constructor(private readonly kube: KubeClient, private readonly ttlMs = 5000, private readonly now: () => number = Date.now) {}

  /** The project's token; undefined when its Secret or key is missing (the caller refuses: fail closed). */
  async tokenOf(namespace: string): Promise<string | undefined> {
    const cached = this.cache.get(namespace);
    if (cached && cached.until > this.now()) return cached.value;
    const secret = await this.kube.resource(Core.Secret).find(namespace, REGISTRY_HOOK_SECRET);
    const encoded = (secret?.data as Record<string, string> | undefined)?.[REGISTRY_HOOK_TOKEN_KEY];
    const value = encoded ? Buffer.from(encoded, 'base64').toString('utf8') || undefined : undefined;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(namespace, { value, until: this.now() + (value ? this.ttlMs : 1000) });
    return value;
  }

  /** The project's token, creating its Secret with a random one unless it exists (another manager's wins). */
  async ensure(namespace: string): Promise<string> {
    const existing = await this.tokenOf(namespace);
    if (existing) return existing;
    try {
      await this.kube.resource(Core.Secret).create({
        apiVersion: 'v1', kind: 'Secret',
        metadata: { name: REGISTRY_HOOK_SECRET, namespace, labels: { [REGISTRY_HOOK_LABEL]: 'true', 'app.kubernetes.io/managed-by': 'keelson' } },
        type: 'Opaque',
        stringData: { [REGISTRY_HOOK_TOKEN_KEY]: randomBytes(32).toString('hex') },
      });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    this.cache.delete(namespace);
    const token = await this.tokenOf(namespace);
    // A Secret someone else made without the key: refuse to send the registry an empty token.
    if (!token) throw new Error(`Secret ${namespace}/${REGISTRY_HOOK_SECRET} has no key ${REGISTRY_HOOK_TOKEN_KEY}`);
    return token;
  }
}
