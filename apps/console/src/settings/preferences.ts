// The user's display preferences (log wrap and timestamps, time zone, log font size), kept in this browser under
// one localStorage key: preferences, not secrets. Every component that reads them shares one store, so a change on
// the settings page shows at once in an open log viewer of another component.
import { useCallback, useSyncExternalStore } from 'react';

export interface Preferences {
  wrap: boolean;
  timestamps: 'off' | 'absolute' | 'elapsed';
  /** An IANA zone (e.g. Europe/Paris); '' is the browser's own. */
  timeZone: string;
  /** Log font size in px. */
  fontSize: number;
}

export const PREFERENCES_KEY = 'keelson.preferences';
export const DEFAULT_PREFERENCES: Preferences = { wrap: false, timestamps: 'off', timeZone: '', fontSize: 13 };
export const FONT_SIZES = [11, 12, 13, 14, 16, 18] as const;

const TIMESTAMPS = ['off', 'absolute', 'elapsed'] as const;

/** What is stored, field by field: a field that is missing or malformed falls back to its default. */
export function parsePreferences(text: string | null | undefined): Preferences {
  let raw: Record<string, unknown> = {};
  try {
    const parsed: unknown = text ? JSON.parse(text) : {};
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) raw = parsed as Record<string, unknown>;
  } catch {
    // not JSON: defaults
  }
  const d = DEFAULT_PREFERENCES;
  return {
    wrap: typeof raw.wrap === 'boolean' ? raw.wrap : d.wrap,
    timestamps: TIMESTAMPS.includes(raw.timestamps as never) ? (raw.timestamps as Preferences['timestamps']) : d.timestamps,
    timeZone: typeof raw.timeZone === 'string' && (raw.timeZone === '' || isTimeZone(raw.timeZone)) ? raw.timeZone : d.timeZone,
    fontSize: typeof raw.fontSize === 'number' && raw.fontSize >= 8 && raw.fontSize <= 32 ? raw.fontSize : d.fontSize,
  };
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const listeners = new Set<() => void>();
let cachedText: string | null | undefined;
let cached: Preferences = DEFAULT_PREFERENCES;

function storage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}

export function readPreferences(): Preferences {
  const text = storage()?.getItem(PREFERENCES_KEY) ?? null;
  // The same object while the stored text is the same: useSyncExternalStore compares snapshots by identity.
  if (text !== cachedText) {
    cachedText = text;
    cached = parsePreferences(text);
  }
  return cached;
}

export function updatePreferences(change: Partial<Preferences>): Preferences {
  const next = { ...readPreferences(), ...change };
  storage()?.setItem(PREFERENCES_KEY, JSON.stringify(next));
  for (const l of listeners) l();
  return next;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  // Another tab's change arrives as a storage event.
  const onStorage = (e: StorageEvent) => { if (e.key === PREFERENCES_KEY || e.key === null) listener(); };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

export function usePreferences(): [Preferences, (change: Partial<Preferences>) => void] {
  const prefs = useSyncExternalStore(subscribe, readPreferences, () => DEFAULT_PREFERENCES);
  const update = useCallback((change: Partial<Preferences>) => { updatePreferences(change); }, []);
  return [prefs, update];
}
