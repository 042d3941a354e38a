// Search over the whole log (server-side for the API's logs): Enter searches, Enter again goes to the next
// match, Shift+Enter to the previous; case and regex toggles; "3 of 120" says where you are.
import { ChevronDown, ChevronUp, Search } from 'lucide-react';
import { useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { ApiError } from '../api/problem';
import type { LogSearchResult, LogSource } from './log-source';
import styles from './LogViewer.module.css';

export function LogSearchBar({ source, onMatch }: { source: LogSource; onMatch: (line: number | undefined) => void }) {
  const [query, setQuery] = useState('');
  const [ignoreCase, setIgnoreCase] = useState(true);
  const [regex, setRegex] = useState(false);
  const [result, setResult] = useState<{ key: string; found: LogSearchResult; at: number } | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const key = JSON.stringify([query, ignoreCase, regex]);

  const go = (found: LogSearchResult, at: number) => {
    setResult({ key, found, at });
    onMatch(found.lines[at]);
  };
  const step = (delta: number) => {
    if (!result || result.found.lines.length === 0) return;
    const n = result.found.lines.length;
    go(result.found, (result.at + delta + n) % n);
  };
  const run = async (backwards = false) => {
    if (!query || !source.search) return;
    if (result?.key === key) return step(backwards ? -1 : 1);
    setBusy(true);
    setError(undefined);
    try {
      const found = await source.search(query, { ignoreCase, regex });
      go(found, 0);
    } catch (err) {
      setResult(undefined);
      onMatch(undefined);
      setError(err instanceof ApiError ? err.problem.detail : err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void run();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter' && e.shiftKey) {
      e.preventDefault();
      void run(true);
    } else if (e.key === 'Escape') {
      setQuery('');
      setResult(undefined);
      onMatch(undefined);
    }
  };
  if (!source.search) return null;
  const count = result?.key === key ? result.found.lines.length : undefined;
  return (
    <form className={styles.search} role="search" onSubmit={onSubmit}>
      <Search size={14} aria-hidden="true" />
      <input
        ref={input} type="search" value={query} placeholder="Search the log" aria-label="Search the log"
        onChange={(e) => setQuery(e.target.value)} onKeyDown={onKeyDown} data-log-search
      />
      <label className={styles.toggle}><input type="checkbox" checked={!ignoreCase} onChange={(e) => setIgnoreCase(!e.target.checked)} /> Aa</label>
      <label className={styles.toggle}><input type="checkbox" checked={regex} onChange={(e) => setRegex(e.target.checked)} /> .*</label>
      <button type="button" className={styles.iconButton} onClick={() => void run(true)} disabled={!query || busy} aria-label="Previous match"><ChevronUp size={14} aria-hidden="true" /></button>
      <button type="button" className={styles.iconButton} onClick={() => void run()} disabled={!query || busy} aria-label="Next match"><ChevronDown size={14} aria-hidden="true" /></button>
      <span role="status" className={styles.meta}>
        {busy ? 'Searching…' : error ? '' : count === undefined ? '' : count === 0 ? 'No match'
          : `${result!.at + 1} of ${count}${result!.found.truncated ? '+' : ''}${result!.found.timedOut ? ' (search timed out: later lines not searched)' : ''}`}
      </span>
      {error && <span role="alert" className={styles.degraded}>{error}</span>}
    </form>
  );
}
