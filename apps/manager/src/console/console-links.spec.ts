import { consoleCredentialLink, consoleRunLink } from './console-links';

describe('console links', () => {
  it('points at the run page, each segment escaped', () => {
    expect(consoleRunLink('https://k.example', 'demo', 'web', 'web-12')).toBe('https://k.example/p/demo/pipelines/web/runs/web-12');
    expect(consoleRunLink('https://k.example/console', 'a b', 'x/y', 'r?1')).toBe('https://k.example/console/p/a%20b/pipelines/x%2Fy/runs/r%3F1');
  });

  it('points at the providers page with the credential', () => {
    expect(consoleCredentialLink('https://k.example', 'demo', 'github-alice')).toBe('https://k.example/p/demo/settings/providers?credential=github-alice');
  });
});
