import { memo, type ReactNode } from 'react';
import { ansiTokens } from './ansi';
import { linkParts } from './linkify';
import { collapseCarriageReturns } from './log-lines';
import styles from './LogViewer.module.css';

/** A token's text with its http(s) URLs as links that open in a new tab without the opener or referrer. */
function withLinks(text: string): ReactNode {
  const parts = linkParts(text);
  if (parts.length === 1 && !parts[0].href) return text;
  return parts.map((p, i) => (p.href
    ? <a key={i} className={styles.url} href={p.href} target="_blank" rel="noopener noreferrer">{p.text}</a>
    : p.text));
}

/** One line's text as spans: ANSI tokens as classes, URLs as links, never HTML. */
export const LogText = memo(function LogText({ raw }: { raw: string }) {
  const tokens = ansiTokens(collapseCarriageReturns(raw));
  return (
    <>
      {tokens.map((t, i) => (t.classes.length || t.color || t.background ? (
        <span
          key={i}
          className={t.classes.map((c) => styles[c] ?? c).join(' ')}
          style={t.color || t.background ? { color: t.color, backgroundColor: t.background } : undefined}
        >
          {withLinks(t.text)}
        </span>
      ) : <span key={i}>{withLinks(t.text)}</span>))}
    </>
  );
});
