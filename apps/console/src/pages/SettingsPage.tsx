// The user's own settings, kept in this browser (nothing is sent to the manager): theme, time zone, log display
// (wrap, timestamps, font size); and who is signed in, with Sign out.
import { LogOut } from 'lucide-react';
import { useMemo, useSyncExternalStore } from 'react';
import { useToken, useTokenStore } from '../auth/auth-context';
import { tokenIdentity } from '../auth/token-identity';
import { formatTime } from '../components/format';
import { FONT_SIZES, usePreferences, type Preferences } from '../settings/preferences';
import { applyTheme, readThemePreference, subscribeTheme, type ThemePreference } from '../theme/theme';
import styles from './Page.module.css';
import settingsStyles from './SettingsPage.module.css';

const THEMES: Array<{ value: ThemePreference; label: string }> = [
  { value: 'system', label: 'System (follows your device)' }, { value: 'light', label: 'Light' }, { value: 'dark', label: 'Dark' },
];

const TIMESTAMPS: Array<{ value: Preferences['timestamps']; label: string }> = [
  { value: 'off', label: 'Hidden' }, { value: 'absolute', label: 'Time of day' }, { value: 'elapsed', label: 'Elapsed since the step started' },
];

const COMMON_ZONES = ['UTC', 'Europe/London', 'Europe/Paris', 'Europe/Berlin', 'America/New_York', 'America/Chicago', 'America/Los_Angeles', 'Asia/Tokyo', 'Asia/Shanghai', 'Asia/Kolkata', 'Australia/Sydney'];

function timeZones(): string[] {
  const supported = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('timeZone');
  return supported?.length ? supported : COMMON_ZONES;
}

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

export function SettingsPage() {
  const [prefs, update] = usePreferences();
  const theme = useSyncExternalStore(subscribeTheme, () => readThemePreference(), () => 'system' as ThemePreference);
  const zones = useMemo(() => {
    const all = timeZones();
    return prefs.timeZone !== 'local' && !all.includes(prefs.timeZone) ? [prefs.timeZone, ...all] : all;
  }, [prefs.timeZone]);
  const sample = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'long', ...(prefs.timeZone !== 'local' && { timeZone: prefs.timeZone }) }).format(new Date());
  return (
    <>
      <div className={styles.head}><h1>Settings</h1><span className={styles.muted}>Saved in this browser</span></div>
      <Identity />
      <section className={settingsStyles.section} aria-labelledby="appearance">
        <h2 id="appearance">Appearance</h2>
        <fieldset className={settingsStyles.fieldset}>
          <legend>Theme</legend>
          {THEMES.map((t) => (
            <label key={t.value} className={settingsStyles.choice}>
              <input type="radio" name="theme" value={t.value} checked={theme === t.value} onChange={() => applyTheme(t.value)} />
              {t.label}
            </label>
          ))}
        </fieldset>
        <label className={styles.field}>
          Time zone
          <select value={prefs.timeZone} onChange={(e) => update({ timeZone: e.target.value })}>
            <option value="local">Browser's ({browserZone()})</option>
            {zones.map((z) => <option key={z} value={z}>{z}</option>)}
          </select>
        </label>
        <p className={styles.muted}>Now: {sample}</p>
      </section>
      <section className={settingsStyles.section} aria-labelledby="logs">
        <h2 id="logs">Logs</h2>
        <label className={settingsStyles.choice}>
          <input type="checkbox" checked={prefs.wrap} onChange={(e) => update({ wrap: e.target.checked })} />
          Wrap long lines
        </label>
        <label className={styles.field}>
          Timestamps
          <select value={prefs.timestamps} onChange={(e) => update({ timestamps: e.target.value as Preferences['timestamps'] })}>
            {TIMESTAMPS.map((t) => <option key={t.value} value={t.value}>{t.label}</option>)}
          </select>
        </label>
        <label className={styles.field}>
          Font size
          <select value={prefs.fontSize} onChange={(e) => update({ fontSize: Number(e.target.value) })}>
            {[...new Set([...FONT_SIZES, prefs.fontSize])].sort((a, b) => a - b).map((s) => <option key={s} value={s}>{s} px</option>)}
          </select>
        </label>
      </section>
    </>
  );
}

function Identity() {
  const tokens = useTokenStore();
  const token = useToken();
  const who = tokenIdentity(token);
  return (
    <section className={settingsStyles.section} aria-labelledby="identity">
      <h2 id="identity">Signed in</h2>
      {who?.subject || who?.name || who?.email ? (
        <dl className={styles.facts}>
          {who.name && <><dt>Name</dt><dd>{who.name}</dd></>}
          {who.email && <><dt>Email</dt><dd>{who.email}</dd></>}
          {who.subject && <><dt>Subject</dt><dd className={styles.mono}>{who.subject}</dd></>}
          {who.issuer && <><dt>Issuer</dt><dd className={styles.mono}>{who.issuer}</dd></>}
          {who.expires && <><dt>Token expires</dt><dd>{formatTime(who.expires)}</dd></>}
        </dl>
      ) : (
        <p className={styles.muted}>With a bearer token the console cannot read a name from; the manager checks it on every call.</p>
      )}
      <p className={styles.muted}>The token is kept in this tab only and is forgotten when the tab closes.</p>
      <button type="button" className={styles.button} onClick={() => tokens.clear()}>
        <LogOut size={14} aria-hidden="true" /> Sign out
      </button>
    </section>
  );
}
