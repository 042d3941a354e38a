// The log viewer (console.md §2, §6.2): virtualised rows (only what is on screen plus an overscan is mounted,
// whatever the log's length), tail-first, line links, follow that pauses when the user scrolls up and resumes
// with "Jump to live".
import { useVirtualizer } from '@tanstack/react-virtual';
import { AlertOctagon, ArrowDownToLine } from 'lucide-react';
import { useCallback, useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { LineRange } from './line-links';
import type { LogSource } from './log-source';
import { LogText } from './LogLine';
import { LogSearchBar } from './LogSearchBar';
import { useShortcuts } from '../components/shortcuts';
import styles from './LogViewer.module.css';

export const LINE_HEIGHT = 20;
/** What "Next error" looks for (case-insensitive): the words builds print when something failed, as whole words
 *  in the stored text, where an ANSI colour code may stand right before them. */
export const ERROR_PATTERN = '(?:^|[^a-z0-9_]|\\u001b\\[[0-9;]*m)(error|failed|failure|fatal|exception|panic)(?![a-z0-9_])';
const OVERSCAN = 20;

export interface LogViewerProps {
  source: LogSource;
  /** Lines to highlight and scroll to (from #L120-L140). */
  highlight?: LineRange;
  onSelectLine?: (line: number, extend: boolean) => void;
  /** Height of the scroll area before it is measured (tests, first paint). */
  initialHeight?: number;
  label?: string;
  /** More tools for the toolbar (e.g. Download). */
  tools?: ReactNode;
}

export function LogViewer({ source, highlight, onSelectLine, initialHeight = 600, label = 'Step log', tools }: LogViewerProps) {
  const snap = useSyncExternalStore(
    useCallback((cb: () => void) => source.subscribe(cb), [source]),
    () => source.snapshot(),
  );
  const scrollRef = useRef<HTMLDivElement>(null);
  const [follow, setFollowState] = useState(true);
  // The latest value for scroll handlers that run before React re-renders (several scroll events in one frame).
  const followRef = useRef(true);
  const setFollow = (v: boolean) => {
    followRef.current = v;
    setFollowState(v);
  };
  const virtualizer = useVirtualizer({
    count: snap.total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => LINE_HEIGHT,
    overscan: OVERSCAN,
    initialRect: { width: 800, height: initialHeight },
    // React 19 batches the scroll updates itself; flushSync inside effects only warns.
    useFlushSync: false,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index;
  const last = items[items.length - 1]?.index;

  // Load the lines on screen that are not loaded yet.
  useEffect(() => {
    if (first !== undefined && last !== undefined) source.ensure(first + 1, last + 1);
  }, [source, first, last, snap.version]);

  // A highlighted range wins over following: scroll to it once the log knows that many lines.
  const jumped = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!highlight || snap.total < highlight.start) return;
    const key = `${highlight.start}-${highlight.end}`;
    if (jumped.current === key) return;
    jumped.current = key;
    setFollow(false);
    virtualizer.scrollToIndex(highlight.start - 1, { align: 'center' });
  }, [highlight, snap.total, virtualizer]);

  // The current search match: scrolled to and marked.
  const [match, setMatch] = useState<number | undefined>();
  const onMatch = (line: number | undefined) => {
    setMatch(line);
    if (line === undefined) return;
    setFollow(false);
    source.ensure(line, line);
    virtualizer.scrollToIndex(line - 1, { align: 'center' });
  };

  // Tail-first and following: stay at the end while following.
  useEffect(() => {
    if (follow && !highlight && match === undefined && snap.total > 0) virtualizer.scrollToIndex(snap.total - 1, { align: 'end' });
  }, [follow, highlight, match, snap.total, virtualizer]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - LINE_HEIGHT * 2;
    if (atBottom !== followRef.current) setFollow(atBottom);
  };

  const jumpToEnd = () => {
    jumped.current = undefined;
    setFollow(true);
    setMatch(undefined);
    if (snap.total > 0) virtualizer.scrollToIndex(snap.total - 1, { align: 'end' });
  };
  // "Next error": the first error line after the top of the view, wrapping to the first of the log.
  const [errorNote, setErrorNote] = useState<string | undefined>();
  const nextError = async () => {
    if (!source.search) return;
    setErrorNote(undefined);
    try {
      const { lines } = await source.search(ERROR_PATTERN, { ignoreCase: true, regex: true });
      if (lines.length === 0) return setErrorNote('No error line');
      const top = Math.floor((scrollRef.current?.scrollTop ?? 0) / LINE_HEIGHT) + 1;
      const from = match ?? top - 1;
      onMatch(lines.find((n) => n > from) ?? lines[0]);
    } catch (err) {
      setErrorNote(err instanceof Error ? err.message : String(err));
    }
  };

  useShortcuts({
    e: () => void nextError(),
    '/': () => scrollRef.current?.closest('section')?.querySelector<HTMLInputElement>('[data-log-search]')?.focus(),
    f: jumpToEnd,
    G: jumpToEnd,
    g: () => {
      setFollow(false);
      virtualizer.scrollToIndex(0, { align: 'start' });
    },
  });

  const digits = String(Math.max(snap.total, 1)).length;
  return (
    <section className={styles.viewer} aria-label={label}>
      <div className={styles.toolbar}>
        <span className={styles.meta} role="status">
          {snap.total.toLocaleString()} lines{snap.live ? ' · live' : snap.complete ? '' : ' · not sealed'}
          {snap.partial ? ' · partial log: some output could not be stored' : ''}
        </span>
        {snap.degraded && <span className={styles.degraded} role="alert">{snap.degraded}</span>}
        <LogSearchBar source={source} onMatch={onMatch} />
        {source.search && (
          <button type="button" className={styles.tool} onClick={() => void nextError()}>
            <AlertOctagon size={14} aria-hidden="true" /> Next error
          </button>
        )}
        {errorNote && <span role="status" className={styles.meta}>{errorNote}</span>}
        {tools}
        {!follow && (snap.live || !highlight) && (
          <button
            type="button"
            className={styles.jump}
            onClick={jumpToEnd}
          >
            <ArrowDownToLine size={14} aria-hidden="true" />
            {snap.live ? 'Jump to live' : 'Jump to end'}
          </button>
        )}
      </div>
      {snap.total === 0 ? (
        <p className={styles.empty}>{snap.live ? 'Waiting for output…' : 'This step printed nothing.'}</p>
      ) : (
        <div ref={scrollRef} className={styles.scroll} onScroll={onScroll} data-testid="log-scroll" tabIndex={0}>
          <div className={styles.canvas} style={{ height: virtualizer.getTotalSize() }}>
            {items.map((row) => {
              const n = row.index + 1;
              const text = source.lineAt(n);
              const marked = highlight && n >= highlight.start && n <= highlight.end;
              return (
                <div
                  key={row.key}
                  className={`${styles.row}${marked ? ` ${styles.highlight}` : ''}${n === match ? ` ${styles.current}` : ''}`}
                  aria-current={n === match ? 'true' : undefined}
                  style={{ transform: `translateY(${row.start}px)` }}
                  data-line={n}
                  id={`L${n}`}
                >
                  <a
                    className={styles.lineNo}
                    href={`#L${n}`}
                    style={{ width: `${digits + 2}ch` }}
                    onClick={(e) => {
                      if (!onSelectLine) return;
                      e.preventDefault();
                      onSelectLine(n, e.shiftKey);
                    }}
                  >
                    {n}
                  </a>
                  <span className={styles.text}>{text === undefined ? <span className={styles.pending} aria-busy="true">…</span> : <LogText raw={text} />}</span>
                </div>
              );
            })}
          </div>
        </div>
      )}
    </section>
  );
}
