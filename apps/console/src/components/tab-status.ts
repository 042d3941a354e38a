// The run's status in the tab: a symbol in the title and a coloured favicon (console.md §6.2 item 1), so a
// background tab tells when a run ends. The favicon files are in public/ (the CSP allows only same-origin images).
import { useEffect } from 'react';
import { statusLabel } from './StatusBadge';

const ICONS: Record<string, string> = {
  Succeeded: '/favicon-succeeded.svg', Failed: '/favicon-failed.svg',
  Running: '/favicon-running.svg', Provisioning: '/favicon-running.svg', Queued: '/favicon-running.svg', Pending: '/favicon-running.svg',
};
const SYMBOLS: Record<string, string> = { Succeeded: '✓', Failed: '✗', Aborted: '■', Running: '▶', Provisioning: '▶', Queued: '…', Pending: '…' };
const DEFAULT_ICON = '/favicon.svg';

export function tabTitle(phase: string | undefined, what: string): string {
  const symbol = phase ? SYMBOLS[phase] : undefined;
  return `${symbol ? `${symbol} ` : ''}${statusLabel(phase)} · ${what} · Keelson`;
}

function setIcon(href: string): void {
  const link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (link && link.getAttribute('href') !== href) link.setAttribute('href', href);
}

/** Shows `phase` of `what` in the tab while the component is mounted; restores the plain icon after. */
export function useTabStatus(phase: string | undefined, what: string): void {
  useEffect(() => {
    document.title = tabTitle(phase, what);
    setIcon((phase && ICONS[phase]) || DEFAULT_ICON);
  }, [phase, what]);
  useEffect(() => () => setIcon(DEFAULT_ICON), []);
}
