// The key that signs sign-in states. The operator's OAUTH_STATE_KEY when set; otherwise a random key the manager
// makes once and keeps in the Secret `keelson-oauth-state` of its own namespace, so every replica (and the next
// process) verifies what another signed. Whoever creates the Secret first wins; the others read it.
import { randomBytes } from 'node:crypto';
import { Core, isAlreadyExists, KubeClient } from '@keelson/kube';
import { SourceCodeError } from './source-code.errors';

export const STATE_KEY_SECRET = 'keelson-oauth-state';
const DATA_KEY = 'key';

type SecretObject = { metadata: { name?: string; namespace?: string; labels?: Record<string, string> }; type?: string; data?: Record<string, string> };

export class OAuthStateKey {
  private cached?: Promise<Buffer>;

  constructor(
    private readonly kube: KubeClient,
    private readonly options: { configured?: string; managerNamespace: string },
  ) {}

  key(): Promise<Buffer> {
    if (this.options.configured) return Promise.resolve(Buffer.from(this.options.configured, 'utf8'));
    // A failed read is not remembered: the next sign-in asks again.
    this.cached ??= this.fromSecret().catch((err: unknown) => {
      this.cached = undefined;
      throw err;
    });
    return this.cached;
  }

  private async fromSecret(): Promise<Buffer> {
    const secrets = this.kube.resource(Core.Secret);
    const namespace = this.options.managerNamespace;
    try {
      const found = (await secrets.find(namespace, STATE_KEY_SECRET)) as SecretObject | undefined;
      const existing = this.keyOf(found);
      if (existing) return existing;
      if (found) throw new SourceCodeError('StateKeyUnavailable', `Secret ${namespace}/${STATE_KEY_SECRET} has no ${DATA_KEY} of 32 bytes; delete it to have a new one made`);
      const made: SecretObject = {
        metadata: { name: STATE_KEY_SECRET, namespace, labels: { 'app.kubernetes.io/managed-by': 'keelson' } },
        type: 'Opaque', data: { [DATA_KEY]: randomBytes(32).toString('base64') },
      };
      try {
        return this.keyOf((await secrets.create(made as never)) as SecretObject) ?? Buffer.from(made.data![DATA_KEY], 'base64');
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        const raced = this.keyOf((await secrets.find(namespace, STATE_KEY_SECRET)) as SecretObject | undefined);
        if (raced) return raced;
        throw err;
      }
    } catch (err) {
      if (err instanceof SourceCodeError) throw err;
      throw new SourceCodeError('StateKeyUnavailable', `the sign-in key in Secret ${namespace}/${STATE_KEY_SECRET} cannot be read or made: ${(err as Error).message}`, {}, { cause: err });
    }
  }

  private keyOf(secret: SecretObject | undefined): Buffer | undefined {
    const encoded = secret?.data?.[DATA_KEY];
    const key = encoded ? Buffer.from(encoded, 'base64') : undefined;
    return key && key.length >= 32 ? key : undefined;
  }
}
