import { imageSemanticDigest, semanticDigest } from './semantic-key';
import type { RunEvent } from './webhook-event';

const base: RunEvent = { kind: 'push', ref: 'refs/heads/main', branch: 'main', commit: 'a'.repeat(40), repository: { fullName: 'Acme/Widget', urls: [] } };

describe('semanticDigest', () => {
  it('is the same for the same push whatever else the delivery says, and name-safe', () => {
    const again = { ...base, title: 'other', author: { name: 'x' }, repository: { fullName: 'acme/widget', urls: ['u'] } };
    expect(semanticDigest(again)).toBe(semanticDigest(base));
    expect(semanticDigest(base)).toMatch(/^[0-9a-z]{10}$/);
  });

  it('differs by commit, ref, event and pull request', () => {
    const variants: RunEvent[] = [
      base,
      { ...base, commit: 'b'.repeat(40) },
      { ...base, ref: 'refs/heads/dev', branch: 'dev' },
      { ...base, kind: 'tag', ref: 'refs/heads/main' },
      { ...base, kind: 'pull_request', pullRequest: { number: 1, targetBranch: 'main', sourceBranch: 'x', fork: false, source: base.repository } },
      { ...base, kind: 'pull_request', pullRequest: { number: 2, targetBranch: 'main', sourceBranch: 'x', fork: false, source: base.repository } },
    ];
    expect(new Set(variants.map((e) => semanticDigest(e))).size).toBe(variants.length);
  });

  it('differs between pipelines (scopes) for the same event', () => {
    expect(semanticDigest(base, 'uid-1')).not.toBe(semanticDigest(base, 'uid-2'));
  });

  it('names an image push by repository and digest only: another tag or event id of the same manifest is the same run', () => {
    const digest = `sha256:${'d'.repeat(64)}`;
    expect(imageSemanticDigest({ repository: 'app', digest }, 'uid-1')).toBe(imageSemanticDigest({ repository: 'app', digest }, 'uid-1'));
    expect(imageSemanticDigest({ repository: 'app', digest }, 'uid-1')).toMatch(/^[0-9a-z]{10}$/);
    expect(imageSemanticDigest({ repository: 'app', digest }, 'uid-1')).not.toBe(imageSemanticDigest({ repository: 'app', digest }, 'uid-2'));
    expect(imageSemanticDigest({ repository: 'app', digest }, 'uid-1')).not.toBe(imageSemanticDigest({ repository: 'app2', digest }, 'uid-1'));
    expect(imageSemanticDigest({ repository: 'app', digest }, 'uid-1')).not.toBe(imageSemanticDigest({ repository: 'app', digest: `sha256:${'e'.repeat(64)}` }, 'uid-1'));
  });
});
