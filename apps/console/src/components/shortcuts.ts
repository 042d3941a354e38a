// Keyboard shortcuts (console.md §6.2 item 16): single keys on the document, ignored while typing in a field or
// with a modifier held, so they never take a key from text entry or the browser.
import { useEffect, useRef } from 'react';

export type ShortcutMap = Record<string, (e: KeyboardEvent) => void>;

export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

/** While mounted, calls map[e.key] for an unmodified key pressed outside a text field. */
export function useShortcuts(map: ShortcutMap): void {
  const latest = useRef(map);
  latest.current = map;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      const handler = latest.current[e.key];
      if (!handler) return;
      e.preventDefault();
      handler(e);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}

/** What the help dialog lists. */
export const SHORTCUTS: Array<[string, string]> = [
  ['j / k', 'next / previous step (run page)'],
  ['/', 'search the log'],
  ['e', 'next error line in the log'],
  ['f', 'follow the log (jump to live)'],
  ['g / G', 'top / end of the log'],
  ['?', 'this help'],
];
