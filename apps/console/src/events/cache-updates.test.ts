import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { CacheUpdater } from './cache-updates';

const modified = (kind: string, ns: string, name: string) => ({ event: 'MODIFIED', data: JSON.stringify({ kind, metadata: { namespace: ns, name } }) }) as never;

describe('CacheUpdater', () => {
  it('invalidates the lists across every project too: an answered gate leaves the approvals inbox', () => {
    const client = new QueryClient();
    const keys = [['executions', '*', { phase: 'Running' }], ['executions', 'demo', {}], ['executions', 'other', {}], ['pipelines', '*']];
    for (const key of keys) client.setQueryData(key, { items: [] });
    const updater = new CacheUpdater(client);
    updater.apply(modified('PipelineExecution', 'demo', 'web-2'));
    updater.flush();
    const stale = keys.filter((key) => client.getQueryState(key)?.isInvalidated).map((k) => k.slice(0, 2).join('/'));
    expect(stale).toEqual(['executions/*', 'executions/demo', 'pipelines/*']);
  });
});
