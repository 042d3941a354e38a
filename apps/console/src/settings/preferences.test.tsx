import { act, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PREFERENCES, parsePreferences, PREFERENCES_KEY, readPreferences, updatePreferences, usePreferences } from './preferences';

function Probe() {
  const [prefs, update] = usePreferences();
  return (
    <>
      <output>{JSON.stringify(prefs)}</output>
      <button type="button" onClick={() => update({ wrap: !prefs.wrap, timeZone: 'UTC' })}>change</button>
    </>
  );
}

describe('preferences', () => {
  it('are defaults until set, then kept under one localStorage key and shared by every hook user', () => {
    expect(readPreferences()).toEqual(DEFAULT_PREFERENCES);
    render(<><Probe /><Probe /></>);
    act(() => screen.getAllByRole('button', { name: 'change' })[0].click());
    const expected = { ...DEFAULT_PREFERENCES, wrap: true, timeZone: 'UTC' };
    expect(JSON.parse(localStorage.getItem(PREFERENCES_KEY)!)).toEqual(expected);
    // Both components see the change.
    const shown = screen.getAllByText(/"wrap"/);
    expect(shown).toHaveLength(2);
    for (const o of shown) expect(JSON.parse(o.textContent!)).toEqual(expected);
    expect(readPreferences()).toEqual(expected);
  });

  it('follow a change made in another tab (the storage event)', () => {
    render(<Probe />);
    act(() => {
      localStorage.setItem(PREFERENCES_KEY, JSON.stringify({ fontSize: 16 }));
      window.dispatchEvent(new StorageEvent('storage', { key: PREFERENCES_KEY }));
    });
    expect(JSON.parse(screen.getByText(/"fontSize"/).textContent!)).toMatchObject({ fontSize: 16, wrap: false });
  });

  it('keep each valid stored field and the default for a broken one; refuse a bad change naming the field', () => {
    expect(parsePreferences('{"wrap":"yes","timestamps":"elapsed","timeZone":"Mars/Olympus","fontSize":99}'))
      .toEqual({ ...DEFAULT_PREFERENCES, timestamps: 'elapsed' });
    expect(parsePreferences('not json')).toEqual(DEFAULT_PREFERENCES);
    expect(parsePreferences('{"timeZone":"Europe/Paris"}').timeZone).toBe('Europe/Paris');
    expect(() => updatePreferences({ timeZone: 'Nowhere/Else' })).toThrow(/timeZone/);
    expect(() => updatePreferences({ fontSize: 3 })).toThrow(/fontSize/);
    expect(localStorage.getItem(PREFERENCES_KEY)).toBeNull();
  });
});
