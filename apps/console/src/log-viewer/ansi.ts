// ANSI escape codes to tokens (anser), never to HTML: each token is rendered as a <span> with classes from the
// theme's ANSI palette, or an rgb() colour for the 256-colour cube and truecolour (set through the CSSOM, which
// a strict CSP allows, unlike style attributes in markup).
import Anser from 'anser';

export interface AnsiToken {
  text: string;
  /** Semantic class names: fg-red, bg-bright-blue, bold, italic, underline, dim, strikethrough, hidden, blink. */
  classes: string[];
  color?: string;
  background?: string;
}

const NAMES = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];
const ESC = '\u001b';

export function ansiTokens(line: string): AnsiToken[] {
  if (!line.includes(ESC)) return line ? [{ text: line, classes: [] }] : [];
  const out: AnsiToken[] = [];
  for (const e of Anser.ansiToJson(line, { use_classes: true, remove_empty: true })) {
    if (!e.content) continue;
    const classes: string[] = [];
    const token: AnsiToken = { text: e.content, classes };
    // anser has already swapped fg and bg for reverse video.
    colour(e.fg, e.fg_truecolor, 'fg', token);
    colour(e.bg, e.bg_truecolor, 'bg', token);
    for (const d of e.decorations ?? []) classes.push(d);
    out.push(token);
  }
  return out;
}

function colour(cls: string | null, truecolor: string | null, kind: 'fg' | 'bg', token: AnsiToken): void {
  if (!cls) return;
  let rgb: string | undefined;
  if (cls === 'ansi-truecolor' && truecolor) rgb = `rgb(${truecolor})`;
  else if (cls.startsWith('ansi-palette-')) {
    const n = Number(cls.slice('ansi-palette-'.length));
    if (n < 16) token.classes.push(`${kind}-${n >= 8 ? 'bright-' : ''}${NAMES[n % 8]}`);
    else rgb = palette256(n);
  } else if (cls.startsWith('ansi-')) token.classes.push(`${kind}-${cls.slice(5)}`);
  if (rgb) {
    if (kind === 'fg') token.color = rgb;
    else token.background = rgb;
  }
}

/** xterm's 256 colours beyond the 16 themed ones: the 6×6×6 cube, then 24 greys. */
export function palette256(n: number): string {
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v}, ${v}, ${v})`;
  }
  const i = n - 16;
  const step = (c: number) => (c === 0 ? 0 : 55 + c * 40);
  return `rgb(${step(Math.floor(i / 36))}, ${step(Math.floor(i / 6) % 6)}, ${step(i % 6)})`;
}
