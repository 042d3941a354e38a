import type { SourceCodeProvider } from '@keelson/crds';
import type { Informer, KubeClient } from '@keelson/kube';
import { silentLogger } from '@keelson/observability';
import { ScmError, type ScmClient, type ScmEndpoint, type ScmProbe } from '@keelson/scm';
import { FAILED_CHECK_RETRY_MS, SourceCodeProviderReconciler } from './source-code-provider.reconciler';

const HOUR = 3_600_000;

/** One provider, an informer and an apiserver that both see our status writes, and a probe we script. */
function harness(spec: Partial<SourceCodeProvider['spec']> = {}) {
  let now = new Date('2030-01-01T00:00:00Z');
  const provider = {
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'SourceCodeProvider',
    metadata: { namespace: 'demo', name: 'github', uid: 'uid-1', generation: 1, resourceVersion: '1' },
    spec: { type: 'github', serverUrl: 'https://git.example.test', clientId: 'app', clientSecretRef: { name: 's' }, enabled: true, ...spec },
  } as SourceCodeProvider;
  const probes: Array<string | undefined> = [];
  let answer: () => Promise<ScmProbe> = async () => ({ oauthApp: 'accepted' });
  const client = { probe: (redirectUri?: string) => { probes.push(redirectUri); return answer(); } } as unknown as ScmClient;
  const kube = {
    resource: () => ({
      patchStatus: async (_ns: string, _name: string, status: SourceCodeProvider['status']) => {
        provider.status = status;
        provider.metadata.resourceVersion = String(Number(provider.metadata.resourceVersion) + 1);
        return provider;
      },
    }),
  } as unknown as KubeClient;
  const reconciler = new SourceCodeProviderReconciler({
    kube, providers: { get: () => provider } as unknown as Informer<SourceCodeProvider & { [k: string]: unknown }>,
    access: { endpointOf: async () => ({ type: 'github', url: 'https://git.example.test', clientId: 'app', clientSecret: 'shh' } as ScmEndpoint), clientFor: () => client },
    checkIntervalMs: HOUR, callbackUrl: 'https://keelson.example.test/api/v1/oauth/callback', logger: silentLogger, now: () => now,
  });
  return {
    provider, probes, reconcile: () => reconciler.reconcile('demo/github'),
    advance: (ms: number) => { now = new Date(now.getTime() + ms); },
    answer: (next: () => Promise<ScmProbe>) => { answer = next; },
    ready: () => provider.status?.conditions?.find((c) => c.type === 'Ready'),
  };
}

describe('SourceCodeProviderReconciler', () => {
  it('checks with the callback URL, says Verified, and checks again only after the interval', async () => {
    const h = harness();
    expect(await h.reconcile()).toEqual({ kind: 'requeueAfter', afterMs: HOUR });
    expect(h.probes).toEqual(['https://keelson.example.test/api/v1/oauth/callback']);
    expect(h.ready()).toMatchObject({ status: 'True', reason: 'Verified', observedGeneration: 1 });
    h.advance(HOUR - 1000);
    expect(await h.reconcile()).toEqual({ kind: 'requeueAfter', afterMs: 1000 });
    expect(h.probes).toHaveLength(1);
    h.advance(1000);
    await h.reconcile();
    expect(h.probes).toHaveLength(2);
  });

  it('checks at once when the spec changes', async () => {
    const h = harness();
    await h.reconcile();
    h.provider.metadata.generation = 2;
    await h.reconcile();
    expect(h.probes).toHaveLength(2);
    expect(h.ready()?.observedGeneration).toBe(2);
  });

  it('tries a failed check again after a minute, not on every resync', async () => {
    const h = harness();
    h.answer(async () => { throw new ScmError('Unavailable', 'GitHub anonymous GET /user: no answer (ECONNREFUSED)'); });
    expect(await h.reconcile()).toEqual({ kind: 'requeueAfter', afterMs: FAILED_CHECK_RETRY_MS });
    expect(h.ready()).toMatchObject({ status: 'False', reason: 'Unreachable', message: expect.stringContaining('ECONNREFUSED') });
    h.advance(30_000);
    await h.reconcile();
    expect(h.probes).toHaveLength(1);
    h.advance(30_000);
    await h.reconcile();
    expect(h.probes).toHaveLength(2);
  });

  it('waits out a rate limit until it lifts, then checks', async () => {
    const h = harness();
    h.answer(async () => { throw new ScmError('RateLimited', 'GitHub anonymous GET /user: HTTP 403, rate limited until 2030-01-01T00:10:00.000Z', { status: 403, retryAt: '2030-01-01T00:10:00.000Z' }); });
    expect(await h.reconcile()).toEqual({ kind: 'requeueAfter', afterMs: 600_000 });
    expect(h.ready()).toMatchObject({ status: 'False', reason: 'RateLimited', message: expect.stringContaining('until 2030-01-01T00:10:00') });
    h.answer(async () => ({ oauthApp: 'accepted' }));
    h.advance(120_000);
    expect(await h.reconcile()).toEqual({ kind: 'requeueAfter', afterMs: 480_000 });
    expect(h.probes).toHaveLength(1);
    h.advance(480_000);
    await h.reconcile();
    expect(h.ready()).toMatchObject({ status: 'True', reason: 'Verified' });
  });

  it('says OAuthAppRefused with the provider\'s words, and ApiAnswers when the answer does not tell', async () => {
    const h = harness();
    h.answer(async () => ({ oauthApp: 'refused', detail: 'invalid_client: Client authentication failed' }));
    await h.reconcile();
    expect(h.ready()).toMatchObject({ status: 'False', reason: 'OAuthAppRefused', message: expect.stringContaining('invalid_client: Client authentication failed') });
    h.answer(async () => ({ oauthApp: 'unchecked', detail: 'temporarily_unavailable' }));
    h.advance(FAILED_CHECK_RETRY_MS);
    await h.reconcile();
    expect(h.ready()).toMatchObject({ status: 'True', reason: 'ApiAnswers' });
  });

  it('checks nothing for a disabled provider and says so, once', async () => {
    const h = harness({ enabled: false });
    expect(await h.reconcile()).toEqual({ kind: 'requeueAfter', afterMs: FAILED_CHECK_RETRY_MS });
    expect(h.ready()).toMatchObject({ status: 'False', reason: 'Disabled' });
    const version = h.provider.metadata.resourceVersion;
    expect(await h.reconcile()).toEqual({ kind: 'done' });
    expect(h.probes).toEqual([]);
    expect(h.provider.metadata.resourceVersion).toBe(version);
  });

  it('says ClientSecretMissing when the Secret holds no client secret, without a call', async () => {
    const h = harness();
    const reconciler = new SourceCodeProviderReconciler({
      kube: { resource: () => ({ patchStatus: async (_n: string, _m: string, status: SourceCodeProvider['status']) => { h.provider.status = status; } }) } as unknown as KubeClient,
      providers: { get: () => h.provider } as unknown as Informer<SourceCodeProvider & { [k: string]: unknown }>,
      access: { endpointOf: async () => ({ type: 'github', url: 'https://git.example.test', clientId: 'app', clientSecret: '' } as ScmEndpoint), clientFor: () => { throw new Error('no call expected'); } },
      checkIntervalMs: HOUR, logger: silentLogger,
    });
    await reconciler.reconcile('demo/github');
    expect(h.ready()).toMatchObject({ status: 'False', reason: 'ClientSecretMissing', message: 'Secret s has no key clientSecret (spec.clientSecretRef) holding the OAuth client secret' });
  });
});
