// Every delivery a real Gitea 1.26.0 sent (test/fixtures/gitea, recorded by its record.ts, unedited) through the
// intake's steps in order: provider from the headers, signature on the raw bytes, decode, parse.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeBody } from './body';
import { parseDelivery } from './parse-delivery';
import { deliveryId, detectProvider, eventName, header, type Headers } from './provider-detect';
import { verifySignature } from './signature';
import type { RunEvent, WebhookEvent } from './webhook-event';

const FIXTURES = join(__dirname, '../../../test/fixtures/gitea');

interface Recorded {
  secret: string;
  headers: Headers;
  body: string;
}

function load(file: string): Recorded {
  return JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Recorded;
}

/** The intake's steps up to the event: each must pass for a recorded delivery. */
function intake(recorded: Recorded): WebhookEvent {
  const provider = detectProvider(recorded.headers);
  expect(provider).toBe('gitea');
  const body = Buffer.from(recorded.body, 'utf8');
  expect(verifySignature('gitea', recorded.headers, body, recorded.secret)).toEqual({ ok: true });
  const events = parseDelivery('gitea', eventName('gitea', recorded.headers), decodeBody(header(recorded.headers, 'content-type'), body));
  expect(events).toHaveLength(1);
  return events[0];
}

/** What the recorded payload itself says, to compare with what the parser made of it. */
function payload(file: string): { after: string; commits: unknown[]; [field: string]: unknown } {
  return JSON.parse(load(file).body) as { after: string; commits: unknown[] };
}

const REPOSITORY = { fullName: 'alice/demo', id: '1' };
/** The commit author of every recorded commit (record.ts's git identity), not the pusher. */
const AUTHOR = { name: 'Keelson Test', email: 'test@keelson.invalid' };
const MAIN_HEAD = payload('push-branch.push.json').after;
const FEATURE_FIRST = payload('push-new-branch.push.json').after;
const FEATURE_SECOND = payload('pull-request-synchronized.push.json').after;

/** What each recorded delivery must become; a recording without an entry here fails the suite. */
const EXPECTED: Record<string, (event: WebhookEvent) => void> = {
  'push-initial.push.json': (event) => expect(event).toMatchObject({
    kind: 'push', ref: 'refs/heads/main', branch: 'main', commit: payload('push-initial.push.json').after,
    author: AUTHOR, title: 'initial commit', repository: REPOSITORY,
  }),
  'push-branch.push.json': (event) => {
    // Two commits pushed: the head one runs, the older one is only listed.
    expect(payload('push-branch.push.json').commits).toHaveLength(2);
    expect(event).toMatchObject({
      kind: 'push', ref: 'refs/heads/main', branch: 'main', commit: MAIN_HEAD, author: AUTHOR, title: 'change app',
      htmlUrl: expect.stringMatching(new RegExp(`/alice/demo/commit/${MAIN_HEAD}$`)), repository: REPOSITORY,
    });
  },
  'push-tag.push.json': (event) => {
    // An annotated tag: `after` is the tag object, the tagged commit (main's head) is what runs.
    const tagObject = payload('push-tag.push.json').after;
    expect(tagObject).not.toBe(MAIN_HEAD);
    expect(event).toMatchObject({ kind: 'tag', ref: 'refs/tags/v1.0.0', tag: 'v1.0.0', commit: MAIN_HEAD, title: 'change app', repository: REPOSITORY });
    expect((event as RunEvent).branch).toBeUndefined();
  },
  'push-new-branch.push.json': (event) => expect(event).toMatchObject({
    kind: 'push', ref: 'refs/heads/feature', branch: 'feature', commit: FEATURE_FIRST, author: AUTHOR, title: 'add feature',
  }),
  'pull-request-synchronized.push.json': (event) => expect(event).toMatchObject({
    kind: 'push', ref: 'refs/heads/feature', branch: 'feature', commit: FEATURE_SECOND, title: 'improve feature',
  }),
  'pull-request-opened.pull_request.json': (event) => expect(event).toMatchObject({
    kind: 'pull_request', ref: 'refs/pull/1/head', commit: FEATURE_FIRST, title: 'Add feature', message: 'A feature.',
    author: { name: 'alice' }, htmlUrl: expect.stringMatching(/\/alice\/demo\/pulls\/1$/), repository: REPOSITORY,
    pullRequest: { number: 1, targetBranch: 'main', sourceBranch: 'feature', fork: false, source: { fullName: 'alice/demo', id: '1' } },
  }),
  // Gitea says `synchronized` where GitHub says `synchronize`, and names the finer event only in X-Gitea-Event-Type.
  'pull-request-synchronized.pull_request_sync.json': (event) => expect(event).toMatchObject({
    kind: 'pull_request', ref: 'refs/pull/1/head', commit: FEATURE_SECOND,
    pullRequest: { number: 1, targetBranch: 'main', sourceBranch: 'feature', fork: false },
  }),
  // A new branch or tag also comes as `create`; its `push` is the one that runs.
  'push-initial.create.json': (event) => expect(event).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/^create events do not start runs/), repository: REPOSITORY }),
  'push-new-branch.create.json': (event) => expect(event).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/^create events do not start runs/), repository: REPOSITORY }),
  'push-tag.create.json': (event) => expect(event).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/^create events do not start runs/), repository: REPOSITORY }),
  // A deleted branch comes only as `delete`, without a push.
  'delete-branch.delete.json': (event) => expect(event).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/^delete events do not start runs/), repository: REPOSITORY }),
  // "Test Delivery" is Gitea's only ping: a push of the default branch's head with before = after, which no real
  // push has. Like GitHub's ping it starts nothing, so pressing the button never builds (or deploys) main.
  'test-delivery.push.json': (event) => expect(event).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/test delivery/), repository: REPOSITORY }),
};

const recordings = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort();

describe('recorded Gitea deliveries', () => {
  it('are all here, and each has an expected outcome', () => {
    expect(recordings.length).toBeGreaterThanOrEqual(12);
    expect(recordings).toEqual(Object.keys(EXPECTED).sort());
  });

  describe.each(recordings)('%s', (file) => {
    const recorded = load(file);

    it('is detected as Gitea (before the GitHub headers it also carries), with its delivery id', () => {
      expect(header(recorded.headers, 'x-github-event')).toBeTruthy();
      expect(detectProvider(recorded.headers)).toBe('gitea');
      expect(deliveryId('gitea', recorded.headers)).toBe(header(recorded.headers, 'x-gitea-delivery'));
      expect(eventName('gitea', recorded.headers)).toBe(header(recorded.headers, 'x-gitea-event'));
    });

    it('verifies with its secret, and not with another secret or with one body byte flipped', () => {
      const body = Buffer.from(recorded.body, 'utf8');
      expect(verifySignature('gitea', recorded.headers, body, recorded.secret)).toEqual({ ok: true });
      expect(verifySignature('gitea', recorded.headers, body, `${recorded.secret}x`)).toEqual({ ok: false, reason: 'X-Gitea-Signature does not match the body' });
      const flipped = Buffer.from(body);
      flipped[Math.floor(flipped.length / 2)] ^= 0x01;
      expect(verifySignature('gitea', recorded.headers, flipped, recorded.secret)).toEqual({ ok: false, reason: 'X-Gitea-Signature does not match the body' });
    });

    it('becomes the event it stands for', () => {
      EXPECTED[file](intake(recorded));
    });
  });

  it('takes the web UI\'s Test Delivery of an empty repository (a fake all-zero commit) for a test, not a deletion', () => {
    // routers/web/repo/setting/webhook.go of Gitea 1.26: before = after = the empty object id.
    const zero = '0'.repeat(40);
    const body = { ...payload('test-delivery.push.json'), before: zero, after: zero };
    expect(parseDelivery('gitea', 'push', body)).toMatchObject([{ kind: 'ignored', reason: expect.stringMatching(/test delivery/) }]);
  });
});
