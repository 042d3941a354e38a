// Text to display lines. A line's \r-separated rewrites (progress bars) collapse to their last state, as a
// terminal would show it; a trailing \r (CRLF endings) is not a rewrite.
export function collapseCarriageReturns(line: string): string {
  let s = line;
  while (s.endsWith('\r')) s = s.slice(0, -1);
  const cr = s.lastIndexOf('\r');
  return cr === -1 ? s : s.slice(cr + 1);
}

/** Splits stored bytes (already decoded) into lines; a final newline does not start another line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
