import { pinnedLookup } from './pinned-lookup';

type Callback = (err: NodeJS.ErrnoException | null, address?: unknown, family?: number) => void;

function ask(host: string, options: { all?: boolean; family?: number | string }): Promise<{ err: NodeJS.ErrnoException | null; address?: unknown; family?: number }> {
  const lookup = pinnedLookup('git.example.test', ['203.0.113.5', '2001:db8::5']);
  return new Promise((resolve) => (lookup as unknown as (h: string, o: object, cb: Callback) => void)(host, options, (err, address, family) => resolve({ err, address, family })));
}

describe('pinnedLookup', () => {
  it('answers with the checked addresses only, all or the first', async () => {
    expect((await ask('git.example.test', { all: true })).address).toEqual([{ address: '203.0.113.5', family: 4 }, { address: '2001:db8::5', family: 6 }]);
    expect(await ask('GIT.example.test', {})).toMatchObject({ err: null, address: '203.0.113.5', family: 4 });
    expect(await ask('git.example.test', { family: 6 })).toMatchObject({ address: '2001:db8::5', family: 6 });
  });

  it('refuses any other host name', async () => {
    expect((await ask('metadata.google.internal', { all: true })).err?.code).toBe('ENOTFOUND');
  });
});
