import { describe, expect, it } from 'vitest';
import { linkParts, safeHref } from './linkify';

const links = (text: string) => linkParts(text).filter((p) => p.href).map((p) => p.href);

describe('linkParts', () => {
  it('links http and https URLs, leaving sentence punctuation and the rest of the text', () => {
    expect(linkParts('see https://ci.example.com/runs/12?x=1#a, then go')).toEqual([
      { text: 'see ' }, { text: 'https://ci.example.com/runs/12?x=1#a', href: 'https://ci.example.com/runs/12?x=1#a' }, { text: ', then go' },
    ]);
    expect(links('http://a.example/x. And (docs at https://b.example/y_(z)).')).toEqual(['http://a.example/x', 'https://b.example/y_(z)']);
    expect(links('"https://q.example/p"')).toEqual(['https://q.example/p']);
    expect(linkParts('plain text')).toEqual([{ text: 'plain text' }]);
  });

  it('never links other schemes, and not an http URL hidden inside one', () => {
    for (const text of ['javascript:alert(1)', 'javascript://example.com/%0aalert(1)', 'javascript:http://x.example', 'data:text/html,<script>', 'file:///etc/passwd', 'ftp://x.example/y', 'xhttp://x.example']) {
      expect({ text, links: links(text) }).toEqual({ text, links: [] });
    }
    expect(safeHref('javascript:alert(1)')).toBeUndefined();
    expect(safeHref('https://ok.example/')).toBe('https://ok.example/');
  });
});
