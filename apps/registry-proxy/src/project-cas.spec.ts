import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { caKeyOf, DirectoryProjectCas } from './project-cas';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('DirectoryProjectCas', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keelson-cas-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads <project>.crt, and nothing for a project without one or with no certificate in it', async () => {
    writeFileSync(join(dir, caKeyOf('team-a')), PEM);
    writeFileSync(join(dir, caKeyOf('team-b')), 'not a certificate');
    const cas = new DirectoryProjectCas(dir);
    expect(await cas.caOf('team-a')).toBe(PEM);
    expect(await cas.caOf('team-b')).toBeUndefined();
    expect(await cas.caOf('team-c')).toBeUndefined();
  });

  it('sees a CA published later once the cached answer is older than the TTL', async () => {
    let now = 0;
    const cas = new DirectoryProjectCas(dir, 10_000, () => now);
    expect(await cas.caOf('team-a')).toBeUndefined();
    writeFileSync(join(dir, caKeyOf('team-a')), PEM);
    now = 9_999;
    expect(await cas.caOf('team-a')).toBeUndefined();
    now = 10_000;
    expect(await cas.caOf('team-a')).toBe(PEM);
  });
});
