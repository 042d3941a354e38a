import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { nextTheme, readThemePreference } from './theme';
import { ThemeToggle } from './ThemeToggle';

describe('theme', () => {
  it('cycles system → light → dark → system on <html>, remembering the choice, labelled in words', async () => {
    expect(readThemePreference()).toBe('system');
    render(<ThemeToggle />);
    const user = userEvent.setup();
    const root = document.documentElement;
    expect(screen.getByRole('button').textContent).toBe('System theme');
    await user.click(screen.getByRole('button'));
    expect(root.getAttribute('data-theme')).toBe('light');
    expect(localStorage.getItem('keelson.theme')).toBe('light');
    await user.click(screen.getByRole('button'));
    expect(root.getAttribute('data-theme')).toBe('dark');
    expect(screen.getByRole('button').textContent).toBe('Dark theme');
    await user.click(screen.getByRole('button'));
    expect(root.hasAttribute('data-theme')).toBe(false);
    expect(localStorage.getItem('keelson.theme')).toBeNull();
    expect(nextTheme('dark')).toBe('system');
  });
});
