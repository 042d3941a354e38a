// Settings: theme, time zone and log preferences persist in this browser (one localStorage key) and survive a
// reload; the signed-in identity comes from the token; Sign out clears it.
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { parsePreferences, PREFERENCES_KEY } from '../settings/preferences';
import { useMsw } from '../test/msw';
import { renderAt, serveShell } from '../test/render-app';

useMsw();

const b64url = (o: unknown) => btoa(JSON.stringify(o)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const jwt = (claims: Record<string, unknown>) => `${b64url({ alg: 'RS256' })}.${b64url(claims)}.c2lnbmF0dXJl`;

describe('SettingsPage', () => {
  it('keeps theme, time zone and log preferences in this browser across a reload', async () => {
    serveShell();
    renderAt('/settings');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('radio', { name: 'Dark' }));
    expect(document.documentElement.getAttribute('data-theme')).toBe('dark');
    // The header's toggle follows the page.
    expect(screen.getByRole('button', { name: 'Dark theme' })).toBeTruthy();
    await user.selectOptions(screen.getByLabelText('Time zone'), 'Asia/Tokyo');
    await user.click(screen.getByRole('checkbox', { name: 'Wrap long lines' }));
    await user.selectOptions(screen.getByLabelText('Timestamps'), 'elapsed');
    await user.selectOptions(screen.getByLabelText('Font size'), '16');
    expect(JSON.parse(localStorage.getItem(PREFERENCES_KEY)!)).toEqual({ wrap: true, timestamps: 'elapsed', timeZone: 'Asia/Tokyo', fontSize: 16 });
    expect(localStorage.getItem('keelson.theme')).toBe('dark');

    cleanup();
    renderAt('/settings');
    expect(((await screen.findByRole('radio', { name: 'Dark' })) as HTMLInputElement).checked).toBe(true);
    expect((screen.getByLabelText('Time zone') as HTMLSelectElement).value).toBe('Asia/Tokyo');
    expect((screen.getByRole('checkbox', { name: 'Wrap long lines' }) as HTMLInputElement).checked).toBe(true);
    expect((screen.getByLabelText('Timestamps') as HTMLSelectElement).value).toBe('elapsed');
    expect((screen.getByLabelText('Font size') as HTMLSelectElement).value).toBe('16');
    await user.click(screen.getByRole('radio', { name: 'System (follows your device)' }));
    expect(document.documentElement.hasAttribute('data-theme')).toBe(false);
  }, 60_000); // two renders of ~400 time zones on shared cores

  it('falls back to defaults field by field for a stored value that is malformed', () => {
    expect(parsePreferences('{"wrap":"yes","timestamps":"absolute","timeZone":"Mars/Olympus","fontSize":400}'))
      .toEqual({ wrap: false, timestamps: 'absolute', timeZone: 'local', fontSize: 12.5 });
    expect(parsePreferences('not json')).toEqual({ wrap: false, timestamps: 'off', timeZone: 'local', fontSize: 12.5 });
  });

  it('shows who the token names and signs out', async () => {
    serveShell();
    const tokens = renderAt('/settings', jwt({ sub: 'system:serviceaccount:demo:alice', iss: 'https://kubernetes.default.svc', exp: 2_000_000_000 }));
    expect(await screen.findByText('system:serviceaccount:demo:alice')).toBeTruthy();
    expect(screen.getByText('https://kubernetes.default.svc')).toBeTruthy();
    const signOuts = screen.getAllByRole('button', { name: 'Sign out' });
    await userEvent.setup().click(signOuts[signOuts.length - 1]);
    await waitFor(() => expect(screen.getByRole('heading', { name: /sign in/i })).toBeTruthy());
    expect(tokens.get()).toBeUndefined();
  });

  it('says so for a token it cannot read a name from', async () => {
    serveShell();
    renderAt('/settings', 'opaque-token');
    expect(await screen.findByText(/cannot read a name from/)).toBeTruthy();
  });

  it('is in the header', async () => {
    serveShell();
    renderAt('/nowhere');
    await userEvent.setup().click(await screen.findByRole('link', { name: 'Settings' }));
    expect(await screen.findByRole('heading', { name: 'Settings' })).toBeTruthy();
  });
});
