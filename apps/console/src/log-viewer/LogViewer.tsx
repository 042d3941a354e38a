// The log viewer (console.md §2, §6.2): virtualised rows (only what is on screen plus an overscan is mounted,
// whatever the log's length), tail-first, line links, collapsible sections, error and warning lines marked,
// wrap and timestamps toggles (with Times on, each line shows when it was stored), follow that pauses when the
// user scrolls up and resumes with "Jump to live".
import { measureElement as measureRow, useVirtualizer } from '@tanstack/react-virtual';
import { AlertOctagon, ArrowDownToLine, ChevronDown, ChevronRight, WrapText } from 'lucide-react';
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore, type CSSProperties, type ReactNode } from 'react';
import { formatDuration } from '../components/format';
import { useShortcuts } from '../components/shortcuts';
import { usePreferences, type TimestampMode } from '../settings/preferences';
import type { LineRange } from './line-links';
import { ERROR_PATTERN, lineSeverity } from './line-severity';
import { LogText } from './LogLine';
import { RowModel, sectionsHolding } from './log-rows';
import { SectionIndex, sectionEnd, sectionSeconds, type LogSection } from './log-sections';
import type { LogSource } from './log-source';
import { formatLogTime } from './log-time';
import { LogSearchBar } from './LogSearchBar';
import styles from './LogViewer.module.css';

export { ERROR_PATTERN } from './line-severity';

/** The row height at the default font size (12.5 px); rows are 1.6 × the font size. */
export const LINE_HEIGHT = 20;
/** Rows mounted beyond each edge of the view: 200 px. A wheel jump replaces every mounted row, so each one costs
 *  its render on every jump (20 made 96 rows added per 2000 px wheel event in log-viewer-scroll.bench.ts, 10 makes 75). */
const OVERSCAN = 10;

export function lineHeightFor(fontSize: number): number {
  return Math.round(fontSize * 1.6);
}

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
  /** When the step started (ISO time, from the execution's status): elapsed times count from it. */
  stepStart?: string;
}

export function LogViewer({ source, highlight, onSelectLine, initialHeight = 600, label = 'Step log', tools, stepStart }: LogViewerProps) {
  const snap = useSyncExternalStore(
    useCallback((cb: () => void) => source.subscribe(cb), [source]),
    () => source.snapshot(),
  );
  const [prefs, updatePrefs] = usePreferences();
  const lineHeight = lineHeightFor(prefs.fontSize);
  const scrollRef = useRef<HTMLDivElement>(null);
  const [follow, setFollowState] = useState(true);
  // The latest value for scroll handlers that run before React re-renders (several scroll events in one frame).
  const followRef = useRef(true);
  const setFollow = (v: boolean) => {
    followRef.current = v;
    setFollowState(v);
  };

  // Sections from the loaded lines: the index parses only lines it has not seen (a streamed chunk is parsed once).
  const sectionIndex = useMemo(() => new SectionIndex(), [source]);
  sectionIndex.sync(source.loadedRanges?.() ?? (snap.total ? [{ start: 1, end: snap.total }] : []), (n) => source.lineAt(n));
  const sections = sectionIndex.sections();
  // The user's choices (section id -> collapsed); other sections follow their default, except that a section
  // holding the current match or the linked line is open.
  const [collapse, setCollapse] = useState<ReadonlyMap<string, boolean>>(() => new Map());
  const [match, setMatch] = useState<number | undefined>();
  const focusLines = useMemo(() => [match, highlight?.start].filter((n): n is number => n !== undefined), [match, highlight?.start]);
  const isCollapsed = useCallback(
    (s: LogSection) => collapse.get(s.id) ?? (s.collapsedByDefault && !focusLines.some((n) => s.start < n && n <= sectionEnd(s))),
    [collapse, focusLines],
  );
  const model = useMemo(
    () => new RowModel(snap.total, sections, isCollapsed),
    // sectionIndex.version says the sections changed (they are updated in place).
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [snap.total, sections, sectionIndex.version, isCollapsed],
  );
  const toggle = (s: LogSection) => setCollapse((prev) => new Map(prev).set(s.id, !isCollapsed(s)));
  /** Opens every collapsed section that holds line n (the user had closed them). */
  const reveal = (n: number) => {
    const closed = sectionsHolding(sections, n).filter(isCollapsed);
    if (closed.length) setCollapse((prev) => {
      const next = new Map(prev);
      for (const s of closed) next.set(s.id, false);
      return next;
    });
  };

  // Keyed by line, so a wrapped row's measured height stays with its line when sections fold; the wrap and the
  // row height are in the key, so toggling them starts from fresh sizes (and remounts the rows to measure them).
  // A new key function makes the virtualiser re-key every row of the log (100,000 calls): it changes only when the
  // hidden lines do, not when a page load adds lines or sections that leave the rows as they were (T5).
  const hiddenKey = model.hiddenKey();
  const getItemKey = useCallback(
    (i: number) => (prefs.wrap ? `w${lineHeight}:${model.rowToLine(i)}` : model.rowToLine(i)),
    // `model` is left out on purpose: any model with this hiddenKey maps rows to the same lines.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [hiddenKey, prefs.wrap, lineHeight],
  );
  const virtualizer = useVirtualizer({
    count: model.rows,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => lineHeight,
    getItemKey,
    // A row is at least one line tall (also where there is no layout, as in jsdom).
    measureElement: (el, entry, instance) => Math.max(lineHeight, measureRow(el, entry, instance)),
    overscan: OVERSCAN,
    initialRect: { width: 800, height: initialHeight },
    // React 19 batches the scroll updates itself; flushSync inside effects only warns.
    useFlushSync: false,
  });
  const items = virtualizer.getVirtualItems();

  // Load the lines on screen that are not loaded yet (runs of consecutive lines: not the hidden ones between).
  const shown = items.map((row) => model.rowToLine(row.index));
  const shownKey = shown.length ? `${shown[0]}-${shown[shown.length - 1]}-${model.rows}` : '';
  useEffect(() => {
    let from: number | undefined;
    let prev = -1;
    for (const n of shown) {
      if (from !== undefined && n !== prev + 1) {
        source.ensure(from, prev);
        from = undefined;
      }
      from ??= n;
      prev = n;
    }
    if (from !== undefined) source.ensure(from, prev);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [source, shownKey, snap.version]);

  // A line jumped to (link, search match, next error) stays in view as pages load and sections above it fold,
  // until the user scrolls by hand.
  const anchor = useRef<{ line: number; align: 'center' | 'start' } | undefined>(undefined);
  const [anchorSeq, setAnchorSeq] = useState(0);
  const scrollToLine = (line: number, align: 'center' | 'start' = 'center') => {
    anchor.current = { line, align };
    setAnchorSeq((s) => s + 1);
  };
  const revealed = useRef(0);
  useEffect(() => {
    const a = anchor.current;
    if (!a || model.rows === 0) return undefined;
    virtualizer.scrollToIndex(model.lineToRow(a.line), { align: a.align });
    if (revealed.current === anchorSeq) return undefined;
    // Once per jump, the page scrolls too when the line is below the fold (a run page's log sits under the graph).
    // The row renders a frame or two after the virtualiser scrolls: look for it for up to 30 frames.
    let frame = 0;
    let tries = 0;
    const reveal = () => {
      const row = scrollRef.current?.querySelector(`[data-line="${a.line}"]`);
      if (!row) {
        if (++tries < 30) frame = requestAnimationFrame(reveal);
        return;
      }
      revealed.current = anchorSeq;
      row.scrollIntoView?.({ block: 'nearest' });
    };
    frame = requestAnimationFrame(reveal);
    return () => cancelAnimationFrame(frame);
  }, [anchorSeq, model, virtualizer]);
  const userScrolls = () => {
    anchor.current = undefined;
  };

  // A highlighted range wins over following: scroll to it once the log knows that many lines.
  const jumped = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!highlight || snap.total < highlight.start) return;
    const key = `${highlight.start}-${highlight.end}`;
    if (jumped.current === key) return;
    jumped.current = key;
    setFollow(false);
    reveal(highlight.start);
    scrollToLine(highlight.start);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [highlight, snap.total]);

  // The current search match: opened, scrolled to and marked.
  const onMatch = (line: number | undefined) => {
    setMatch(line);
    if (line === undefined) return;
    setFollow(false);
    source.ensure(line, line);
    reveal(line);
    scrollToLine(line);
  };

  // Tail-first and following: stay at the end while following.
  useEffect(() => {
    if (follow && !highlight && match === undefined && model.rows > 0) virtualizer.scrollToIndex(model.rows - 1, { align: 'end' });
  }, [follow, highlight, match, model.rows, virtualizer]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - lineHeight * 2;
    if (atBottom !== followRef.current) setFollow(atBottom);
  };

  const jumpToEnd = () => {
    jumped.current = undefined;
    anchor.current = undefined;
    setFollow(true);
    setMatch(undefined);
    if (model.rows > 0) virtualizer.scrollToIndex(model.rows - 1, { align: 'end' });
  };
  // "Next error": the first error line after the top of the view, wrapping to the first of the log.
  const [errorNote, setErrorNote] = useState<string | undefined>();
  const nextError = async () => {
    if (!source.search) return;
    setErrorNote(undefined);
    try {
      const { lines } = await source.search(ERROR_PATTERN, { ignoreCase: true, regex: true });
      if (lines.length === 0) return setErrorNote('No error line');
      const topRow = virtualizer.range?.startIndex ?? Math.floor((scrollRef.current?.scrollTop ?? 0) / lineHeight);
      const top = model.rows > 0 ? model.rowToLine(Math.min(topRow, model.rows - 1)) : 1;
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
      anchor.current = undefined;
      virtualizer.scrollToIndex(0, { align: 'start' });
    },
  });

  const stepStartMs = stepStart ? Date.parse(stepStart) : undefined;
  const digits = String(Math.max(snap.total, 1)).length;
  // Per-line times when Times is on and the log has any (a log sealed before Keelson kept them has none).
  const lastTime = prefs.timestamps !== 'off' && snap.total > 0 ? source.timeAt?.(snap.total) : undefined;
  const lineTime = (n: number) => {
    const ms = source.timeAt?.(n);
    return ms === undefined ? undefined : { ms, text: formatLogTime(ms, prefs.timestamps, prefs.timeZone, stepStartMs) };
  };
  // One width for the column, from the last line's time (elapsed "+59m 59s" may be longer than a later "+1h 2m").
  const timeWidth = lastTime === undefined ? 0 : Math.max(formatLogTime(lastTime, prefs.timestamps, prefs.timeZone, stepStartMs)?.length ?? 0, prefs.timestamps === 'elapsed' ? 8 : 0);
  const scrollStyle = {
    fontSize: `${prefs.fontSize}px`, '--log-line-height': `${lineHeight}px`, ...(timeWidth > 0 && { '--log-time-width': `${timeWidth + 1}ch` }),
  } as CSSProperties;
  return (
    <section className={styles.viewer} aria-label={label}>
      <div className={styles.toolbar}>
        <span className={styles.meta} role="status">
          {snap.total.toLocaleString()} lines{snap.live ? ' · live' : snap.complete ? '' : ' · not sealed'}
          {snap.partial ? ' · partial log: some output could not be stored' : ''}
        </span>
        {prefs.timestamps !== 'off' && stepStartMs !== undefined && Number.isFinite(stepStartMs) && (
          <span className={styles.meta}>started {formatLogTime(stepStartMs, 'absolute', prefs.timeZone)}</span>
        )}
        {prefs.timestamps !== 'off' && snap.total > 0 && lastTime === undefined && source.timeAt && (
          <span className={styles.meta}>no line times: this log was stored before Keelson kept them</span>
        )}
        {snap.degraded && <span className={styles.degraded} role="alert">{snap.degraded}</span>}
        <LogSearchBar source={source} onMatch={onMatch} />
        {source.search && (
          <button type="button" className={styles.tool} onClick={() => void nextError()}>
            <AlertOctagon size={14} aria-hidden="true" /> Next error
          </button>
        )}
        {errorNote && <span role="status" className={styles.meta}>{errorNote}</span>}
        <button type="button" className={styles.tool} aria-pressed={prefs.wrap} onClick={() => updatePrefs({ wrap: !prefs.wrap })}>
          <WrapText size={14} aria-hidden="true" /> Wrap
        </button>
        <label className={styles.selectLabel}>
          Times
          <select value={prefs.timestamps} onChange={(e) => updatePrefs({ timestamps: e.target.value as TimestampMode })}>
            <option value="off">Off</option>
            <option value="absolute">Clock</option>
            <option value="elapsed">Elapsed</option>
          </select>
        </label>
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
        <div
          ref={scrollRef}
          className={`${styles.scroll}${prefs.wrap ? ` ${styles.wrap}` : ''}`}
          style={scrollStyle}
          onScroll={onScroll}
          onWheel={userScrolls}
          onTouchStart={userScrolls}
          onPointerDown={userScrolls}
          onKeyDown={userScrolls}
          data-testid="log-scroll"
          data-wrap={prefs.wrap ? 'true' : 'false'}
          tabIndex={0}
        >
          <div className={styles.canvas} style={{ height: virtualizer.getTotalSize() }}>
            {items.map((row) => {
              const n = model.rowToLine(row.index);
              const text = source.lineAt(n);
              const marked = highlight && n >= highlight.start && n <= highlight.end;
              const header = model.headers.get(n);
              const severity = text === undefined ? undefined : lineSeverity(text);
              const classes = [styles.row, marked && styles.highlight, n === match && styles.current, severity && styles[severity], header && styles.header];
              return (
                <div
                  key={row.key}
                  ref={prefs.wrap ? virtualizer.measureElement : undefined}
                  data-index={row.index}
                  className={classes.filter(Boolean).join(' ')}
                  aria-current={n === match ? 'true' : undefined}
                  style={{ transform: `translateY(${row.start}px)` }}
                  data-line={n}
                  data-severity={severity}
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
                  {lastTime !== undefined && <LineTime time={lineTime(n)} />}
                  <span className={styles.gutter}>
                    {header && sectionEnd(header) > header.start && (
                      <button
                        type="button"
                        className={styles.fold}
                        aria-expanded={!isCollapsed(header)}
                        aria-label={`${isCollapsed(header) ? 'Expand' : 'Collapse'} section ${header.title}`}
                        onClick={() => toggle(header)}
                      >
                        {isCollapsed(header) ? <ChevronRight size={12} aria-hidden="true" /> : <ChevronDown size={12} aria-hidden="true" />}
                      </button>
                    )}
                  </span>
                  <span className={styles.mark} aria-hidden="true">{severity === 'error' ? '✖' : severity === 'warning' ? '▲' : ''}</span>
                  {severity && <span className="visually-hidden">{severity}: </span>}
                  <span className={styles.text}>
                    {text === undefined ? <span className={styles.pending} aria-busy="true">…</span>
                      // A group's header reads as its title, as GitHub shows it (the stored line keeps the marker).
                      : <LogText raw={header?.kind === 'group' && header.start === n ? header.title : text} />}
                  </span>
                  {header && (sectionEnd(header) > header.start || header.startTime !== undefined) && (
                    <SectionMeta section={header} mode={prefs.timestamps} timeZone={prefs.timeZone} stepStartMs={stepStartMs} live={snap.live} />
                  )}
                </div>
              );
            })}
          </div>
        </div>
      )}
    </section>
  );
}

/** When the line was stored, in a column that copying the lines leaves out (user-select: none). */
function LineTime({ time }: { time: { ms: number; text: string | undefined } | undefined }) {
  if (!time) return <span className={styles.time} />;
  return <time className={styles.time} dateTime={new Date(time.ms).toISOString()}>{time.text}</time>;
}

/** A section header's facts: started above (when its start is not loaded), lines, duration, time. */
function SectionMeta({ section, mode, timeZone, stepStartMs, live }: {
  section: LogSection; mode: TimestampMode; timeZone: string; stepStartMs?: number; live: boolean;
}) {
  const lines = sectionEnd(section) - section.start + 1;
  const seconds = sectionSeconds(section);
  const time = section.startTime !== undefined ? formatLogTime(section.startTime * 1000, mode, timeZone, stepStartMs) : undefined;
  const parts = [
    section.kind === 'continued' ? 'started above the loaded lines' : undefined,
    `${lines.toLocaleString()} ${lines === 1 ? 'line' : 'lines'}${section.end === undefined && live ? '…' : ''}`,
    seconds !== undefined ? formatDuration(seconds * 1000) : undefined,
    time,
  ].filter(Boolean);
  return <span className={styles.sectionMeta} data-section-meta>{parts.join(' · ')}</span>;
}
