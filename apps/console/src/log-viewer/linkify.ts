// http(s) URLs in log text, to render as links (React elements, never HTML). Only http: and https: are linked;
// anything else (javascript:, data:, file:) stays text.

export type TextPart = { text: string; href?: string };

// A URL starts at a word boundary (not inside "xhttp://" or "javascript:http://") and runs to whitespace, a quote
// or an angle bracket; trailing punctuation is sentence punctuation, not part of it.
const URL_RE = /(?<![A-Za-z0-9+.\-:/])https?:\/\/[^\s<>"'`\u0000-\u001f\u007f]+/gi;
const TRAILING = /[.,;:!?'"]+$/;

export function linkParts(text: string): TextPart[] {
  if (!text.includes('://')) return [{ text }];
  const out: TextPart[] = [];
  let at = 0;
  URL_RE.lastIndex = 0;
  for (let m = URL_RE.exec(text); m; m = URL_RE.exec(text)) {
    let url = m[0].replace(TRAILING, '');
    // A closing bracket belongs to the URL only when the URL opened one: "(see https://x/y)".
    while (/[)\]}]$/.test(url) && !balanced(url)) url = url.slice(0, -1).replace(TRAILING, '');
    const href = safeHref(url);
    if (!href) continue;
    if (m.index > at) out.push({ text: text.slice(at, m.index) });
    out.push({ text: url, href });
    at = m.index + url.length;
    URL_RE.lastIndex = at;
  }
  if (at < text.length) out.push({ text: text.slice(at) });
  return out.length ? out : [{ text }];
}

function balanced(url: string): boolean {
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const close = url[url.length - 1];
  const open = pairs[close];
  let depth = 0;
  for (const c of url) {
    if (c === open) depth++;
    else if (c === close) depth--;
  }
  return depth >= 0;
}

/** The URL as an href when it parses and is http(s), else undefined. */
export function safeHref(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}
