// jsdom has no layout. The log viewer's scroll area gets the size a browser would give it (600 × 800 px, and a
// scrollHeight from its canvas), and elements get scrollTo, which the virtualiser scrolls with. jsdom also lacks
// ResizeObserver.
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// findBy*/waitFor wait up to 5 s: the 2 shared cores can be slow to render a page.
configure({ asyncUtilTimeout: 5_000 });

export const TEST_VIEWPORT = { width: 800, height: 600 };

class NoResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}
(globalThis as { ResizeObserver?: unknown }).ResizeObserver ??= NoResizeObserver;

// jsdom lacks CSS.escape, which react-aria's overlays use to read <meta> values.
const css = ((globalThis as { CSS?: { escape?: (s: string) => string } }).CSS ??= {});
css.escape ??= (s: string) => s.replace(/[^a-zA-Z0-9_-]/g, (c) => `\\${c}`);

const isLogScroll = (el: Element) => el.getAttribute('data-testid') === 'log-scroll';
Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
  configurable: true,
  get(this: HTMLElement) { return isLogScroll(this) ? TEST_VIEWPORT.height : 0; },
});
Object.defineProperty(HTMLElement.prototype, 'clientWidth', {
  configurable: true,
  get(this: HTMLElement) { return isLogScroll(this) ? TEST_VIEWPORT.width : 0; },
});
Object.defineProperty(HTMLElement.prototype, 'scrollHeight', {
  configurable: true,
  get(this: HTMLElement) { return parseFloat((this.firstElementChild as HTMLElement | null)?.style.height ?? '') || 0; },
});
Element.prototype.scrollTo = function scrollTo(this: Element, opts?: ScrollToOptions | number) {
  const top = typeof opts === 'object' ? opts.top : undefined;
  if (top !== undefined) this.scrollTop = Math.max(0, top);
  this.dispatchEvent(new Event('scroll'));
} as Element['scrollTo'];

afterEach(() => {
  cleanup();
  sessionStorage.clear();
  localStorage.clear();
});
