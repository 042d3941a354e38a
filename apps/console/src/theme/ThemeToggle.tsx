import { Monitor, Moon, Sun } from 'lucide-react';
import { useSyncExternalStore } from 'react';
import { applyTheme, nextTheme, readThemePreference, subscribeTheme, type ThemePreference } from './theme';
import styles from './ThemeToggle.module.css';

const LABEL: Record<ThemePreference, string> = { system: 'System theme', light: 'Light theme', dark: 'Dark theme' };

export function ThemeToggle() {
  const pref = useSyncExternalStore(subscribeTheme, () => readThemePreference(), () => 'system' as ThemePreference);
  const Icon = pref === 'dark' ? Moon : pref === 'light' ? Sun : Monitor;
  return (
    <button
      type="button"
      className={styles.toggle}
      title={`${LABEL[pref]} (click for ${LABEL[nextTheme(pref)].toLowerCase()})`}
      onClick={() => {
        applyTheme(nextTheme(pref));
      }}
    >
      <Icon size={16} aria-hidden="true" />
      <span>{LABEL[pref]}</span>
    </button>
  );
}
