// The Pipeline's webhook at its provider: registered when the Pipeline's credential can reach its repository,
// checked now and then and registered again when someone deleted it at the provider, and removed when the
// Pipeline is deleted (a finalizer holds the Pipeline until then).
import type { Pipeline } from '@keelson/crds';
import { ScmError } from '@keelson/scm';
import type { ScmAccess } from '../../scm/scm-access';
import { ScmUnavailableError } from '../../scm/scm-access';

export const PROVIDER_WEBHOOK_FINALIZER = 'devops.keelson.dev/provider-webhook';
const EVENTS = ['push', 'tag', 'pull_request'] as const;

export type Registration =
  | { state: 'registered'; id: string; message: string }
  | { state: 'none'; message: string }
  | { state: 'failed'; message: string; retryAfterMs?: number };

export class ProviderWebhooks {
  /** When each pipeline's hook was last seen at the provider (uid → ms): repairs are checked at most this often. */
  private readonly checked = new Map<string, number>();
  /** The hook this process last registered per pipeline (uid → id): the informer's copy may not show it yet. */
  private readonly registered = new Map<string, string>();

  constructor(private readonly access: ScmAccess, private readonly checkEveryMs = 300_000, private readonly now: () => number = Date.now) {}

  /** Registers (or finds) the hook delivering to `url` with `secret`. */
  async ensure(pipeline: Pipeline, url: string, secret: string): Promise<Registration> {
    try {
      const session = await this.access.forPipeline(pipeline);
      if (!session) return { state: 'none', message: 'no credential of the repository\'s provider (spec.credentialRef): register status.webhook.url by hand' };
      const { client, token, repo } = session;
      const uid = pipeline.metadata.uid!;
      const known = pipeline.status?.webhook?.id ?? this.registered.get(uid);
      if (known && this.now() - (this.checked.get(uid) ?? 0) < this.checkEveryMs) return { state: 'registered', id: known, message: `webhook ${known} at ${repo}` };
      const hooks = await client.listWebhooks(token, repo);
      const ours = hooks.filter((h) => h.url === url);
      const current = ours.find((h) => h.id === known);
      if (current) {
        this.checked.set(uid, this.now());
        this.registered.set(uid, current.id);
        return { state: 'registered', id: current.id, message: `webhook ${current.id} at ${repo}` };
      }
      // A hook to our URL we do not know the secret of (an earlier try that crashed before recording its id):
      // replaced, so exactly one hook with the current secret delivers.
      for (const stale of ours) await client.deleteWebhook(token, repo, stale.id);
      const created = await client.createWebhook(token, repo, { url, secret, events: [...EVENTS] });
      this.checked.set(uid, this.now());
      this.registered.set(uid, created.id);
      return { state: 'registered', id: created.id, message: `webhook ${created.id} registered at ${repo}${known ? ` (${known} was gone)` : ''}` };
    } catch (err) {
      return failure(err);
    }
  }

  /** Deletes the hook at the provider; true when the finalizer may go (done, or nothing more can be done). */
  async remove(pipeline: Pipeline): Promise<Registration> {
    const id = pipeline.status?.webhook?.id ?? this.registered.get(pipeline.metadata.uid!);
    this.checked.delete(pipeline.metadata.uid!);
    this.registered.delete(pipeline.metadata.uid!);
    if (!id) return { state: 'none', message: 'no webhook was registered' };
    try {
      const session = await this.access.forPipeline(pipeline);
      if (!session) return { state: 'none', message: 'no credential left to remove the webhook with' };
      await session.client.deleteWebhook(session.token, session.repo, id);
      return { state: 'none', message: `webhook ${id} removed` };
    } catch (err) {
      const failed = failure(err);
      // A credential or provider that is gone or refuses for good cannot remove it later either.
      return failed.retryAfterMs === undefined ? { state: 'none', message: `webhook ${id} left at the provider: ${failed.message}` } : failed;
    }
  }
}

function failure(err: unknown): Registration & { state: 'failed' } {
  if (err instanceof ScmUnavailableError) return { state: 'failed', message: err.message };
  if (err instanceof ScmError) {
    const retryAfterMs = err.retryAt ? Math.max(1000, Date.parse(err.retryAt) - Date.now()) : err.retryable ? 30_000 : undefined;
    return { state: 'failed', message: `${err.code}: ${err.message}`.slice(0, 1024), ...(retryAfterMs !== undefined && { retryAfterMs }) };
  }
  return { state: 'failed', message: (err as Error).message?.slice(0, 1024) ?? String(err), retryAfterMs: 30_000 };
}
