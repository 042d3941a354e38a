import { dingTalkPayload, escapeSlackText, slackPayload, truncateUtf8, webhookPayload, weComPayload } from './channel-payloads';
import { notificationMessage, type RunFacts } from './notification-message';

const facts: RunFacts = {
  project: 'demo', pipeline: 'web', execution: 'web-12', run: 12, phase: 'Failed', branch: 'main',
  commit: '0123456789abcdef0123456789abcdef01234567', author: 'Ada Lovelace', reason: 'Got FAILED in stage build',
  link: 'https://console.example.com/p/demo/pipelines/web/runs/web-12',
};

describe('notification message', () => {
  it('says by default which pipeline, run, phase, branch, short commit, author and where to look', () => {
    const message = notificationMessage(facts);
    expect(message.subject).toBe('[keelson] demo/web #12 Failed');
    expect(message.text).toBe([
      'Pipeline demo/web run #12: Failed',
      'branch main, commit 0123456, by Ada Lovelace',
      'Reason: Got FAILED in stage build',
      'https://console.example.com/p/demo/pipelines/web/runs/web-12',
    ].join('\n'));
  });

  it('leaves out what it does not know, and the reason of a success', () => {
    expect(notificationMessage({ project: 'p', pipeline: 'x', execution: 'x-1', run: 1, phase: 'Succeeded', tag: 'v1', reason: 'all green' }).text)
      .toBe('Pipeline p/x run #1: Succeeded\ntag v1');
  });

  it('keeps a field from starting a line of its own (an author name with a line break)', () => {
    const text = notificationMessage({ ...facts, author: 'Eve\nPipeline demo/web run #12: Succeeded' }).text;
    expect(text.split('\n')).toHaveLength(4);
    expect(text.split('\n')[0]).toBe('Pipeline demo/web run #12: Failed');
  });

  it('uses the config\'s message instead of the default text, but keeps the subject', () => {
    const message = notificationMessage(facts, 'Build broke, see the console');
    expect(message.text).toBe('Build broke, see the console');
    expect(message.subject).toBe('[keelson] demo/web #12 Failed');
  });
});

describe('channel payloads', () => {
  const hostile = notificationMessage(facts, 'ping <!channel> & <https://evil.example|click> **bold** [x](https://evil.example) "quote"\\');

  it('escapes Slack\'s control characters, so no mention or link can be injected', () => {
    expect(escapeSlackText('a & <b> c')).toBe('a &amp; &lt;b&gt; c');
    const body = slackPayload(hostile, '#ci');
    expect(body).toEqual({ text: 'ping &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt; **bold** [x](https://evil.example) "quote"\\', channel: '#ci' });
    expect(slackPayload(hostile, 'ops team')).not.toHaveProperty('channel');
  });

  it('sends DingTalk and WeCom the plain text message type, so markdown in the text stays text', () => {
    expect(dingTalkPayload(hostile, '@all')).toEqual({ msgtype: 'text', text: { content: hostile.text }, at: { isAtAll: true, atMobiles: [] } });
    expect(dingTalkPayload(hostile, '13800001111')).toMatchObject({ at: { isAtAll: false, atMobiles: ['13800001111'] } });
    expect(weComPayload(hostile, '#anything')).toEqual({ msgtype: 'text', text: { content: hostile.text } });
    expect(weComPayload(hostile, '@all')).toEqual({ msgtype: 'text', text: { content: hostile.text, mentioned_list: ['@all'] } });
    // JSON encoding by the serialiser: quotes and backslashes cannot close the string.
    expect(JSON.parse(JSON.stringify(weComPayload(hostile, '')))).toEqual(weComPayload(hostile, ''));
  });

  it('cuts WeCom text at its 2048-byte limit on a character boundary', () => {
    const long = notificationMessage(facts, '界'.repeat(1000)); // 3000 bytes
    const content = (weComPayload(long, '').text as { content: string }).content;
    expect(Buffer.byteLength(content, 'utf8')).toBeLessThanOrEqual(2048);
    expect(content.endsWith('…')).toBe(true);
    expect(truncateUtf8('short', 2048)).toBe('short');
  });

  it('gives a generic webhook the facts as fields', () => {
    expect(webhookPayload(notificationMessage(facts), 'ops')).toMatchObject({ kind: 'keelson.dev/execution-notification', version: 1, recipient: 'ops', execution: { run: 12, phase: 'Failed', commit: facts.commit } });
  });
});
