// Branch globs: `*` and `?` stay within one path segment, `**` crosses `/` (Go's filepath.Match for the
// single-segment forms, which is what Rancher used). A leading `!` is literal: `exclude` is how to negate.

import picomatch from 'picomatch';

const OPTIONS: picomatch.PicomatchOptions = { dot: true, nonegate: true, strictSlashes: true };
const compiled = new Map<string, (value: string) => boolean>();
/** Patterns come from many files in a long-lived manager; cap the memo rather than grow it forever. */
const MAX_COMPILED = 1000;

export function globMatches(pattern: string, value: string): boolean {
  let matcher = compiled.get(pattern);
  if (!matcher) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    matcher = picomatch(pattern, OPTIONS);
    compiled.set(pattern, matcher);
  }
  return matcher(value);
}
