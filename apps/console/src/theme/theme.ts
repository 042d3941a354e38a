// Theme preference: 'system' (default: CSS follows prefers-color-scheme), 'light' or 'dark' (data-theme on
// <html>). Stored in localStorage: it is a preference, not a secret.
export type ThemePreference = 'system' | 'light' | 'dark';
const KEY = 'keelson.theme';

export function readThemePreference(storage: Storage | undefined = safeLocalStorage()): ThemePreference {
  const v = storage?.getItem(KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

const listeners = new Set<() => void>();

/** Told when applyTheme changes the preference, so the header's toggle and the settings page agree. */
export function subscribeTheme(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function applyTheme(pref: ThemePreference, root: HTMLElement = document.documentElement, storage = safeLocalStorage()): void {
  if (pref === 'system') {
    root.removeAttribute('data-theme');
    storage?.removeItem(KEY);
  } else {
    root.setAttribute('data-theme', pref);
    storage?.setItem(KEY, pref);
  }
  for (const l of listeners) l();
}

/** system → light → dark → system. */
export function nextTheme(pref: ThemePreference): ThemePreference {
  return pref === 'system' ? 'light' : pref === 'light' ? 'dark' : 'system';
}

function safeLocalStorage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}
