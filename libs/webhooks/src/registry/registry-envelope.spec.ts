import { WebhookPayloadError } from '../webhook-event';
import { MAX_EVENTS_PER_ENVELOPE, parseRegistryEnvelope } from './registry-envelope';
import { verifyRegistryToken } from './registry-token';

const V1 = 'application/vnd.docker.distribution.events.v1+json';
const V2 = 'application/vnd.docker.distribution.events.v2+json';
const DIGEST = 'sha256:fea8895f450959fa676bcc1df0611ea93823a735a01205fd8622846041d0c7cf';

// The push example of distribution/distribution docs/content/about/notifications.md (v3.1.1), with a tag added
// to the manifest event, as the registry sets it for `PUT /v2/<name>/manifests/<tag>` (notifications/bridge.go).
const docsEnvelope = {
  events: [
    {
      id: 'asdf-asdf-asdf-asdf-0', timestamp: '2006-01-02T15:04:05Z', action: 'push',
      target: {
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: DIGEST, length: 1, repository: 'library/test',
        url: `https://example.com/v2/library/test/manifests/${DIGEST}`, tag: 'latest',
      },
      request: { id: 'asdfasdf', addr: 'client.local', host: 'registrycluster.local', method: 'PUT', useragent: 'test/0.1' },
      actor: { name: 'test-actor' }, source: { addr: 'hostname.local:port' },
    },
    {
      id: 'asdf-asdf-asdf-asdf-1', timestamp: '2006-01-02T15:04:05Z', action: 'push',
      target: {
        mediaType: 'application/vnd.docker.container.image.rootfs.diff+x-gtar',
        digest: 'sha256:c3b3692957d439ac1928219a83fac91e7bf96c153725526874673ae1f2023f8d5', length: 2, repository: 'library/test',
        url: 'https://example.com/v2/library/test/blobs/sha256:c3b3692957d439ac1928219a83fac91e7bf96c153725526874673ae1f2023f8d5',
      },
      request: { id: 'asdfasdf', addr: 'client.local', host: 'registrycluster.local', method: 'PUT', useragent: 'test/0.1' },
      actor: { name: 'test-actor' }, source: { addr: 'hostname.local:port' },
    },
  ],
};

const body = (value: unknown) => Buffer.from(JSON.stringify(value));
const manifestPush = (target: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  events: [{ id: 'e-1', action: 'push', target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: DIGEST, repository: 'team/app', tag: 'v1', ...target }, ...extra }],
});
const parse = (value: unknown, type = V2) => parseRegistryEnvelope(type, body(value));
const refusal = (value: unknown, type = V2) => {
  try {
    parse(value, type);
  } catch (err) {
    expect(err).toBeInstanceOf(WebhookPayloadError);
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
};

describe('parseRegistryEnvelope', () => {
  it('reads the docs\' envelope under both media types: the tagged manifest runs, the layer is ignored', () => {
    for (const type of [V1, V2, `${V2}; charset=utf-8`, 'application/json']) {
      expect(parse(docsEnvelope, type)).toEqual([
        { kind: 'image', id: 'asdf-asdf-asdf-asdf-0', repository: 'library/test', tag: 'latest', digest: DIGEST, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' },
        { kind: 'ignored', id: 'asdf-asdf-asdf-asdf-1', reason: 'a push of "application/vnd.docker.container.image.rootfs.diff+x-gtar", not of an image manifest' },
      ]);
    }
  });

  it('ignores blobs pushed as octet-stream, pulls, deletes and mounts', () => {
    const events = parse({
      events: [
        { id: 'b', action: 'push', target: { mediaType: 'application/octet-stream', digest: DIGEST, repository: 'team/app' } },
        { id: 'p', action: 'pull', target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: DIGEST, repository: 'team/app', tag: 'v1' } },
        { id: 'd', action: 'delete', target: { digest: DIGEST, repository: 'team/app' } },
        { id: 'm', action: 'mount', target: { mediaType: 'application/octet-stream', digest: DIGEST, repository: 'team/app', fromRepository: 'other' } },
        { id: 'n', action: 'push', target: { digest: DIGEST, repository: 'team/app' } },
      ],
    });
    expect(events).toEqual([
      { kind: 'ignored', id: 'b', reason: 'a push of "application/octet-stream", not of an image manifest' },
      { kind: 'ignored', id: 'p', reason: 'pull is not a push' },
      { kind: 'ignored', id: 'd', reason: 'delete is not a push' },
      { kind: 'ignored', id: 'm', reason: 'mount is not a push' },
      { kind: 'ignored', id: 'n', reason: 'a push of a blob, not of an image manifest' },
    ]);
  });

  it('runs a manifest list or OCI index pushed under a tag, and ignores its children pushed by digest alone', () => {
    for (const mediaType of ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']) {
      expect(parse(manifestPush({ mediaType }))).toEqual([{ kind: 'image', id: 'e-1', repository: 'team/app', tag: 'v1', digest: DIGEST, mediaType }]);
    }
    expect(parse(manifestPush({ tag: undefined }))).toEqual([{ kind: 'ignored', id: 'e-1', reason: `manifest ${DIGEST} of team/app was pushed by digest, without a tag` }]);
    expect(parse(manifestPush({ tag: '' }))[0].kind).toBe('ignored');
  });

  it('keeps a plain event id and replaces any other by a digest, of the event when there is none', () => {
    expect(parse(manifestPush({}, { id: '320678d8-ca14-430f-8bb6-4ca139cd83f7' }))[0].id).toBe('320678d8-ca14-430f-8bb6-4ca139cd83f7');
    expect(parse(manifestPush({}, { id: 'a b/../c' }))[0].id).toMatch(/^id-[0-9a-f]{40}$/);
    expect(parse(manifestPush({}, { id: 'x'.repeat(129) }))[0].id).toMatch(/^id-[0-9a-f]{40}$/);
    const [noId] = parse({ events: [{ action: 'push', target: manifestPush({}).events[0].target }] });
    expect(noId.id).toMatch(/^event-[0-9a-f]{40}$/);
  });

  it('refuses hostile repositories, tags and digests of a manifest push, naming the field', () => {
    expect(refusal(manifestPush({ repository: '../etc' }))).toMatch(/^field events\[0\]\.target\.repository: "\.\.\/etc" is not a repository name/);
    expect(refusal(manifestPush({ repository: 'team/../app' }))).toMatch(/target\.repository: "team\/\.\.\/app" is not a repository name/);
    expect(refusal(manifestPush({ repository: 'Team/App' }))).toMatch(/target\.repository/);
    expect(refusal(manifestPush({ repository: 'a/'.repeat(200) + 'a' }))).toMatch(/target\.repository: 401 characters; at most 255/);
    expect(refusal(manifestPush({ repository: '' }))).toMatch(/target\.repository: missing/);
    expect(refusal(manifestPush({ repository: 7 }))).toMatch(/target\.repository: not a string/);
    expect(refusal(manifestPush({ tag: '..' }))).toMatch(/target\.tag: "\.\." is not a tag/);
    expect(refusal(manifestPush({ tag: '-v1' }))).toMatch(/target\.tag: "-v1" is not a tag/);
    expect(refusal(manifestPush({ tag: 'v1\nx' }))).toMatch(/target\.tag/);
    expect(refusal(manifestPush({ tag: 'v'.repeat(129) }))).toMatch(/target\.tag: 129 characters; at most 128/);
    expect(refusal(manifestPush({ digest: 'sha256:abc' }))).toMatch(/target\.digest: "sha256:abc" is not a sha256, sha384 or sha512 digest/);
    expect(refusal(manifestPush({ digest: `md5:${'a'.repeat(32)}` }))).toMatch(/target\.digest/);
    expect(refusal(manifestPush({ mediaType: { a: 1 } }))).toMatch(/target\.mediaType: not a string/);
  });

  it('accepts the longest names the grammar allows', () => {
    const repository = `${'a'.repeat(120)}/${'b'.repeat(134)}`;
    const tag = `v${'1'.repeat(127)}`;
    expect(parse(manifestPush({ repository, tag }))[0]).toMatchObject({ kind: 'image', repository, tag });
    expect(parse(manifestPush({ repository: 'a__b/c-d/e.f_g/h---i' }))[0]).toMatchObject({ kind: 'image' });
  });

  it('refuses a body that is no envelope', () => {
    expect(refusal({ events: 'x' })).toBe('field events: the envelope must hold a list of events');
    expect(refusal({})).toBe('field events: the envelope must hold a list of events');
    expect(refusal({ events: [null] })).toBe('field events[0]: not an object');
    expect(refusal({ events: [{ action: 'push', target: 'x' }] })).toBe('field events[0].target: not an object');
    expect(refusal({ events: Array.from({ length: MAX_EVENTS_PER_ENVELOPE + 1 }, () => ({})) })).toMatch(/at most 100/);
    expect(() => parseRegistryEnvelope(V2, Buffer.from('{"events": ['))).toThrow(/not valid JSON/);
    expect(() => parseRegistryEnvelope('text/plain', body(docsEnvelope))).toThrow(/content type "text\/plain" is not a registry envelope/);
    expect(() => parseRegistryEnvelope(undefined, body(docsEnvelope))).toThrow(/is not a registry envelope/);
  });
});

describe('verifyRegistryToken', () => {
  it('accepts the project\'s Bearer token and nothing else, and closes without one', () => {
    expect(verifyRegistryToken('Bearer s3cret', 's3cret')).toEqual({ ok: true });
    expect(verifyRegistryToken(['bearer s3cret'], 's3cret')).toEqual({ ok: true });
    expect(verifyRegistryToken('Bearer s3cre', 's3cret')).toEqual({ ok: false, reason: 'the Bearer token is not the project\'s registry token' });
    expect(verifyRegistryToken('Basic czNjcmV0', 's3cret')).toEqual({ ok: false, reason: 'Authorization is not a Bearer token' });
    expect(verifyRegistryToken(undefined, 's3cret')).toEqual({ ok: false, reason: 'Authorization is missing' });
    expect(verifyRegistryToken('Bearer s3cret', undefined)).toMatchObject({ ok: false, reason: expect.stringMatching(/no registry token/) });
    expect(verifyRegistryToken('Bearer ', '')).toMatchObject({ ok: false });
  });
});
