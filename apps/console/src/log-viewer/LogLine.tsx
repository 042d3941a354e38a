import { memo } from 'react';
import { ansiTokens } from './ansi';
import { collapseCarriageReturns } from './log-lines';
import styles from './LogViewer.module.css';

/** One line's text as spans: ANSI tokens as classes, never HTML. */
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
          {t.text}
        </span>
      ) : <span key={i}>{t.text}</span>))}
    </>
  );
});
