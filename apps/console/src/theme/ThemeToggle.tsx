import { Monitor, Moon, Sun } from 'lucide-react';
import { useState } from 'react';
import { applyTheme, nextTheme, readThemePreference, type ThemePreference } from './theme';
import styles from './ThemeToggle.module.css';

const LABEL: Record<ThemePreference, string> = { system: 'System theme', light: 'Light theme', dark: 'Dark theme' };

export function ThemeToggle() {
  const [pref, setPref] = useState<ThemePreference>(() => readThemePreference());
  const Icon = pref === 'dark' ? Moon : pref === 'light' ? Sun : Monitor;
  return (
    <button
      type="button"
      className={styles.toggle}
      title={`${LABEL[pref]} (click for ${LABEL[nextTheme(pref)].toLowerCase()})`}
      onClick={() => {
        const next = nextTheme(pref);
        applyTheme(next);
        setPref(next);
      }}
    >
      <Icon size={16} aria-hidden="true" />
      <span>{LABEL[pref]}</span>
    </button>
  );
}
