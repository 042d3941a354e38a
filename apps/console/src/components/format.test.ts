// Times follow the time zone chosen on the settings page.
import { describe, expect, it } from 'vitest';
import { updatePreferences } from '../settings/preferences';
import { formatTime } from './format';

describe('formatTime', () => {
  it('shows a time in the chosen time zone, and in the browser\'s without one', () => {
    const iso = '2026-01-01T12:00:00Z';
    expect(formatTime(iso, '')).toBe(new Date(iso).toLocaleString());
    updatePreferences({ timeZone: 'Asia/Tokyo' });
    expect(formatTime(iso)).toMatch(/9:00:00\s?PM|21:00:00/);
    updatePreferences({ timeZone: 'America/New_York' });
    expect(formatTime(iso)).toMatch(/7:00:00\s?AM|07:00:00/);
    expect(formatTime(undefined)).toBe('—');
    expect(formatTime('not a time')).toBe('not a time');
  });
});
