// Text of Jenkins logs as the client hands it on.

/**
 * Decodes a progressiveText chunk. While the build runs, the chunk may end inside a multi-byte UTF-8
 * character that Jenkins has only half written; those bytes are left for the next read (the offset is moved
 * back by their count) instead of turning into U+FFFD.
 */
export function decodeLogChunk(bytes: Buffer, nextOffset: number, more: boolean): { text: string; nextOffset: number } {
  const cut = more ? incompleteTail(bytes) : 0;
  return { text: bytes.subarray(0, bytes.length - cut).toString('utf8'), nextOffset: nextOffset - cut };
}

/** Number of bytes at the end that start a UTF-8 sequence not yet complete. */
function incompleteTail(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back];
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: look further back for the lead byte
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? back : 0;
  }
  return 0;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: ' ' };

/**
 * Plain text of a stage-view log (`wfapi/log` `text`, written by `writeHtmlTo`): every `<`, `>` and `&` of the
 * log itself is escaped there, so any raw tag is markup added by a console annotation (a hyperlink, a line
 * break) and goes, and then the references are decoded.
 */
export function unescapeConsoleHtml(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);/g, (whole, ref: string) => {
      const code = ref.startsWith('#x') ? parseInt(ref.slice(2), 16) : ref.startsWith('#') ? parseInt(ref.slice(1), 10) : undefined;
      if (code === undefined) return ENTITIES[ref] ?? whole;
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    });
}
