// The shell that runs a step with caches (DESIGN §5): one writer per cache key per node, and a record of each
// cache lookup. The node's cache directory of each key is mounted whole at `/.keelson-cache/<claim>` beside the
// step's subPath mounts, so the wrapper can lock it, stamp its last use for the janitor and look inside.
//
// The lock is `mkdir <key dir>/.keelson-lock` (atomic on every filesystem and in every image, where `flock` is
// not), holding `owner` (pod, pid, time) and `heartbeat` (epoch seconds, refreshed while the step runs). A second
// writer waits up to `waitSeconds`; a lock whose heartbeat is older than `staleSeconds` (its pod died) is taken
// over. After the wait the step runs without the lock and the log says so: a mount cannot be made read-only from
// inside the container, and failing a build because another holds its cache would be worse. Fork builds mount
// their caches read-only and take no lock.
//
// Every value in the script is ours (sanitised claim names and key segments) and still single-quoted.
import type { CompileContext, CompiledStep } from '../compile-context';
import { shellQuote } from '../escape';
import { CACHE_CONTROL_DIR } from '../pod/cache-paths';
import { stepCacheMounts } from '../pod/cache-volumes';
import type { StepFile } from './step-script.builder';

/** The line prefix of a cache lookup record in the step log; the manager reads it (cache-lookup.marker.ts). */
export const CACHE_LOOKUP_MARKER = 'keelson-cache:';
export const CACHE_LOCK_NAME = '.keelson-lock';
export const CACHE_STAMP_NAME = '.keelson-last-used';

export interface CacheLockTimings {
  /** How long a second writer waits for the lock before it runs without it. */
  waitSeconds: number;
  /** A lock whose heartbeat is older than this is taken over (its holder died without releasing it). */
  staleSeconds: number;
  /** How often the holder refreshes its heartbeat; well under `staleSeconds`. */
  beatSeconds: number;
}

const SAFE_DIR = /^\/[A-Za-z0-9._/-]+$/;

export const DEFAULT_CACHE_LOCK_TIMINGS: CacheLockTimings = { waitSeconds: 600, staleSeconds: 120, beatSeconds: 15 };

/** One cache key as the wrapper sees it. */
export interface WrappedCache {
  /** Where the key's node directory is mounted whole in the container. */
  dir: string;
  /** The key's directory name on the node (sanitised), as recorded in the execution status. */
  key: string;
  /** The subPath directories of the key's cache paths, looked into to tell a hit from a miss. */
  paths: string[];
  /** Trusted builds write (and lock); forks only read. */
  write: boolean;
}

/** The caches of a step, each key once, in a fixed order (so two steps locking the same keys never deadlock). */
export function wrappedCaches(ctx: CompileContext, step: CompiledStep): WrappedCache[] {
  const byClaim = new Map<string, WrappedCache>();
  for (const m of stepCacheMounts(ctx, step)) {
    const claim = m.claim;
    const entry = byClaim.get(claim.claimName) ?? {
      dir: `${CACHE_CONTROL_DIR}/${claim.claimName}`,
      key: claim.hostPath.slice(claim.hostPath.lastIndexOf('/') + 1),
      paths: [],
      write: ctx.trusted,
    };
    if (m.mount.subPath && !entry.paths.includes(m.mount.subPath)) entry.paths.push(m.mount.subPath);
    byClaim.set(claim.claimName, entry);
  }
  return [...byClaim.values()].sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
}

/** The wrapper file of a step with caches (`<base>.cache.sh`), or undefined when the step mounts none. */
export function stepCacheWrapper(ctx: CompileContext, step: CompiledStep, timings: CacheLockTimings = DEFAULT_CACHE_LOCK_TIMINGS): StepFile | undefined {
  const script = step.script;
  if (!script) return undefined;
  const caches = wrappedCaches(ctx, step);
  if (caches.length === 0) return undefined;
  return { name: `${step.containerName}.cache.sh`, content: cacheWrapperScript(caches, stepCommand(script.name, script.shebang), timings) };
}

/** How a step's own script is run, wrapped or not. */
export function stepCommand(scriptName: string, shebang: boolean): string {
  const path = `"$KEELSON_DIR/${scriptName}"`;
  return shebang ? `chmod +x ${path} && ${path}` : `/bin/sh -xe ${path}`;
}

/** The wrapper's text: lock, look up and stamp each cache, run `command`, release. POSIX sh, no `flock`. */
export function cacheWrapperScript(caches: WrappedCache[], command: string, timings: CacheLockTimings): string {
  const { waitSeconds, staleSeconds, beatSeconds } = timings;
  for (const [name, value] of Object.entries(timings)) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`cache lock ${name} must be a positive integer, got ${value}`);
  }
  // The held locks are kept in one space-separated variable: directories are ours, and must stay plain words.
  for (const cache of caches) {
    if (!SAFE_DIR.test(cache.dir)) throw new RangeError(`cache directory ${JSON.stringify(cache.dir)} must be an absolute path of [A-Za-z0-9._/-]`);
  }
  const lines = [
    '# Generated by Keelson: one writer per cache key per node, and a record of each cache lookup.',
    `keelson_wait=${waitSeconds}`,
    `keelson_stale=${staleSeconds}`,
    `keelson_beat=${beatSeconds}`,
    'keelson_holder="${HOSTNAME:-unknown}/$$/$(date +%s)"',
    'keelson_held=""',
    'keelson_beater=""',
    // A hit: any of the key's path directories holds something.
    'keelson_lookup() {',
    '  keelson_dir=$1; shift',
    '  for keelson_p in "$@"; do',
    '    if [ -n "$(ls -A "$keelson_dir/$keelson_p" 2>/dev/null)" ]; then echo hit; return; fi',
    '  done',
    '  echo miss',
    '}',
    'keelson_stamp() { (umask 000; touch "$1/' + CACHE_STAMP_NAME + '") 2>/dev/null || true; }',
    // 0: held. 1: gave up after the wait.
    'keelson_lock() {',
    '  keelson_l="$1/' + CACHE_LOCK_NAME + '"',
    '  keelson_since=$(date +%s)',
    '  keelson_said=""',
    '  while ! (umask 000; mkdir "$keelson_l") 2>/dev/null; do',
    '    keelson_now=$(date +%s)',
    '    keelson_hb=$(cat "$keelson_l/heartbeat" 2>/dev/null)',
    '    case $keelson_hb in ""|*[!0-9]*) keelson_hb=$keelson_since ;; esac',
    // No heartbeat yet counts from when this waiter first looked, so a lock just made is never taken over.
    '    if [ $((keelson_now - keelson_hb)) -gt "$keelson_stale" ]; then',
    '      echo "' + CACHE_LOOKUP_MARKER + ' taking over the stale lock of $2 (holder: $(cat "$keelson_l/owner" 2>/dev/null || echo unknown))"',
    '      mv "$keelson_l" "$keelson_l.stale.$$" 2>/dev/null && rm -rf "$keelson_l.stale.$$"',
    '      continue',
    '    fi',
    '    if [ $((keelson_now - keelson_since)) -ge "$keelson_wait" ]; then return 1; fi',
    '    if [ -z "$keelson_said" ]; then',
    '      echo "' + CACHE_LOOKUP_MARKER + ' waiting for the cache $2, in use by $(cat "$keelson_l/owner" 2>/dev/null || echo another step) (at most ${keelson_wait}s)"',
    '      keelson_said=1',
    '    fi',
    '    sleep 1',
    '  done',
    // Held before anything is written in it: a stop that comes in between still releases it.
    '  keelson_held="$keelson_held $keelson_l"',
    '  echo "$keelson_holder" > "$keelson_l/owner"',
    '  date +%s > "$keelson_l/heartbeat"',
    '  return 0',
    '}',
    'keelson_release() {',
    '  if [ -n "$keelson_beater" ]; then kill "$keelson_beater" 2>/dev/null; keelson_beater=""; fi',
    '  for keelson_l in $keelson_held; do',
    '    keelson_stamp "${keelson_l%/*}"',
    // Only our own lock: after a takeover the directory may be another holder's.
    '    if [ "$(cat "$keelson_l/owner" 2>/dev/null)" = "$keelson_holder" ]; then rm -rf "$keelson_l"; fi',
    '  done',
    '  keelson_held=""',
    '}',
    "trap 'keelson_release' EXIT",
    "trap 'keelson_release; exit 129' HUP",
    "trap 'keelson_release; exit 130' INT",
    "trap 'keelson_release; exit 143' TERM",
  ];
  for (const cache of caches) {
    const dir = shellQuote(cache.dir);
    const key = shellQuote(cache.key);
    const lookup = `keelson_r=$(keelson_lookup ${dir} ${cache.paths.map(shellQuote).join(' ')})`;
    if (!cache.write) {
      lines.push(lookup, `echo "${CACHE_LOOKUP_MARKER} key="${key}" result=$keelson_r lock=readonly"`);
      continue;
    }
    lines.push(
      `if keelson_lock ${dir} ${key}; then keelson_how=held; else keelson_how=timeout; echo "${CACHE_LOOKUP_MARKER} the cache "${key}" is still in use after \${keelson_wait}s: this step runs without its lock, and its writes may mix with the holder's"; fi`,
      lookup,
      `echo "${CACHE_LOOKUP_MARKER} key="${key}" result=$keelson_r lock=$keelson_how"`,
      `keelson_stamp ${dir}`,
    );
  }
  lines.push(
    // The heartbeat stops with this shell even if it is killed without a trap (SIGKILL).
    'if [ -n "$keelson_held" ]; then',
    '  keelson_parent=$$',
    '  ( while kill -0 "$keelson_parent" 2>/dev/null; do sleep "$keelson_beat"; for keelson_l in $keelson_held; do date +%s > "$keelson_l/heartbeat.tmp" 2>/dev/null && mv -f "$keelson_l/heartbeat.tmp" "$keelson_l/heartbeat" 2>/dev/null; done; done ) >/dev/null 2>&1 &',
    '  keelson_beater=$!',
    'fi',
    command,
    'keelson_status=$?',
    'keelson_release',
    'exit $keelson_status',
    '',
  );
  return lines.join('\n');
}

/** One cache lookup as the wrapper prints it. */
export interface CacheLookupRecord {
  key: string;
  result: 'hit' | 'miss';
  lock: 'held' | 'timeout' | 'readonly';
}

const LOOKUP_LINE = /^keelson-cache: key=([A-Za-z0-9._-]{1,128}) result=(hit|miss) lock=(held|timeout|readonly)\r?$/;

/**
 * The lookups a step's log records, in order, each key once (its first attempt's: a retry finds what the first
 * attempt left). Only whole lines of exactly the wrapper's form count, and at most `max`: the step's own output
 * can print such a line too, but never more than a bounded list of well-formed keys.
 */
export function parseCacheLookups(text: string, max = 16): CacheLookupRecord[] {
  const out: CacheLookupRecord[] = [];
  for (const line of text.split('\n')) {
    const m = LOOKUP_LINE.exec(line);
    if (!m || out.some((l) => l.key === m[1])) continue;
    out.push({ key: m[1], result: m[2] as CacheLookupRecord['result'], lock: m[3] as CacheLookupRecord['lock'] });
    if (out.length >= max) break;
  }
  return out;
}
