// The user's display preferences (log viewer and alike), kept in this browser's localStorage under one key:
// they are preferences, not secrets. `usePreferences()` gives every component the same value and re-renders it
// when any component (or another tab) changes them; the Settings page edits them through the same hook.
import { useCallback, useSyncExternalStore } from 'react';

export type TimestampMode = 'off' | 'absolute' | 'elapsed';

export interface Preferences {
  /** Long log lines wrap (true) or scroll sideways (false). */
  wrap: boolean;
  /** Times in the log: off, clock time in `timeZone`, or elapsed since the step started. */
  timestamps: TimestampMode;
  /** 'local' (the browser's zone), 'UTC', or an IANA zone such as 'Europe/Paris'. */
  timeZone: string;
  /** The log's font size in CSS pixels, 10–20. */
  fontSize: number;
}

export const PREFERENCES_KEY = 'keelson.preferences';
export const DEFAULT_PREFERENCES: Preferences = Object.freeze({ wrap: false, timestamps: 'off', timeZone: 'local', fontSize: 12.5 });
export const FONT_SIZE_RANGE = { min: 10, max: 20 } as const;
/** The sizes the Settings page offers (any size in FONT_SIZE_RANGE is kept). */
export const FONT_SIZES = [10, 11, 12, 12.5, 13, 14, 16, 18, 20] as const;

/** True when Intl knows the zone ('local' always is). */
export function isValidTimeZone(zone: string): boolean {
  if (zone === 'local') return true;
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Reads stored preferences, keeping each valid field and the default for any other (a hand-edited or older
 *  value never breaks the viewer). */
export function parsePreferences(text: string | null | undefined): Preferences {
  let raw: unknown;
  try {
    raw = text ? JSON.parse(text) : undefined;
  } catch {
    raw = undefined;
  }
  const o = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const d = DEFAULT_PREFERENCES;
  return {
    wrap: typeof o.wrap === 'boolean' ? o.wrap : d.wrap,
    timestamps: o.timestamps === 'off' || o.timestamps === 'absolute' || o.timestamps === 'elapsed' ? o.timestamps : d.timestamps,
    timeZone: typeof o.timeZone === 'string' && isValidTimeZone(o.timeZone) ? o.timeZone : d.timeZone,
    fontSize: typeof o.fontSize === 'number' && o.fontSize >= FONT_SIZE_RANGE.min && o.fontSize <= FONT_SIZE_RANGE.max ? o.fontSize : d.fontSize,
  };
}

function storage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}

const listeners = new Set<() => void>();
let cached: { text: string | null | undefined; prefs: Preferences } | undefined;

export function readPreferences(): Preferences {
  const text = storage()?.getItem(PREFERENCES_KEY);
  if (!cached || cached.text !== text) cached = { text, prefs: parsePreferences(text) };
  return cached.prefs;
}

/** Merges a change into the stored preferences (invalid fields are refused with an error naming the field). */
export function updatePreferences(change: Partial<Preferences>): Preferences {
  const next = { ...readPreferences(), ...change };
  const checked = parsePreferences(JSON.stringify(next));
  for (const k of Object.keys(change) as Array<keyof Preferences>) {
    if (checked[k] !== next[k]) throw new Error(`Invalid preference ${k}: ${JSON.stringify(change[k])}`);
  }
  storage()?.setItem(PREFERENCES_KEY, JSON.stringify(checked));
  for (const l of listeners) l();
  return readPreferences();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  // Another tab's change arrives as a storage event.
  const onStorage = (e: StorageEvent) => {
    if (e.key === PREFERENCES_KEY || e.key === null) listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

/** `[prefs, update]`: the current preferences and a function that stores a change (a partial object). */
export function usePreferences(): [Preferences, (change: Partial<Preferences>) => void] {
  const prefs = useSyncExternalStore(subscribe, readPreferences, () => DEFAULT_PREFERENCES);
  const update = useCallback((change: Partial<Preferences>) => {
    updatePreferences(change);
  }, []);
  return [prefs, update];
}
