// Maps a path in the parsed value (ajv's instancePath, or a path the normaliser builds) back to the YAML node
// it came from, so every error carries the file's line and column. Iterative, and bounded by the path length.

import { Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, Node } from 'yaml';

export type PathSegment = string | number;

export interface Located {
  line: number;
  column: number;
}

/** Splits a JSON pointer (`/stages/0/name`) into segments; array indexes become numbers. */
export function pointerSegments(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function toPointer(segments: readonly PathSegment[]): string {
  return segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** `stages[0].steps[1].runScriptConfig`, for messages. */
export function displayPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out;
}

/**
 * Turns a path in a rewritten value back into the path it had in the file. The Rancher dialect drops clone steps
 * (and stages left empty), which shifts the indexes after them.
 */
export type PathRemap = (segments: readonly PathSegment[]) => readonly PathSegment[];

export class YamlNodeLocator {
  constructor(
    private readonly doc: Document.Parsed,
    private readonly lineCounter: LineCounter,
    private readonly remap: PathRemap = (segments) => segments,
  ) {}

  /** The same document, for paths in a value rewritten with `remap`. */
  withRemap(remap: PathRemap): YamlNodeLocator {
    return new YamlNodeLocator(this.doc, this.lineCounter, remap);
  }

  /** True for an unquoted scalar (`yes`, not `"yes"`): YAML 1.1 read plain `yes`/`on` as booleans, quoted ones not. */
  isPlainScalar(segments: readonly PathSegment[]): boolean {
    const node = this.nodeAt(this.remap(segments));
    return isScalar(node) && node.type === 'PLAIN';
  }

  /**
   * Position of the value at `segments`, or of its key when `key` is true (for unknown keys). Falls back to the
   * deepest node found, e.g. when a key came in through a `<<` merge.
   */
  locate(logical: readonly PathSegment[], key = false): Located {
    const segments = this.remap(logical);
    let node: Node | null | undefined = this.doc.contents as Node | null;
    let keyNode: Node | undefined;
    let best: Node | undefined = node ?? undefined;
    for (const seg of segments) {
      node = this.resolve(node);
      keyNode = undefined;
      let next: Node | undefined;
      if (isMap(node)) {
        const pair = node.items.findLast((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (pair) {
          keyNode = pair.key as Node;
          next = (pair.value as Node | null) ?? keyNode;
        }
      } else if (isSeq(node) && typeof seg === 'number') {
        next = (node.items[seg] as Node | undefined) ?? undefined;
      }
      if (!next) {
        keyNode = undefined;
        break;
      }
      node = next;
      best = next;
    }
    const target = key && keyNode ? keyNode : best;
    const offset = target?.range?.[0] ?? 0;
    const pos = this.lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  }

  /** Line and column where a node of this document starts. */
  position(node: Node): Located {
    const pos = this.lineCounter.linePos(node.range?.[0] ?? 0);
    return { line: pos.line, column: pos.col };
  }

  /** Original text of a scalar (`1.10` stays `1.10`, not 1.1); undefined for non-scalars. */
  sourceText(segments: readonly PathSegment[]): string | undefined {
    const node = this.nodeAt(this.remap(segments));
    return isScalar(node) && typeof node.source === 'string' ? node.source : undefined;
  }

  /** The node at a path of the file (aliases followed; of duplicate keys, the last, whose value counts). */
  private nodeAt(segments: readonly PathSegment[]): Node | null | undefined {
    let node: Node | null | undefined = this.doc.contents as Node | null;
    for (const seg of segments) {
      node = this.resolve(node);
      if (isMap(node)) {
        const pair = node.items.findLast((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        node = pair?.value as Node | null | undefined;
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg] as Node | undefined;
      } else {
        return undefined;
      }
    }
    return this.resolve(node);
  }

  private resolve(node: Node | null | undefined): Node | null | undefined {
    return isAlias(node) ? (node.resolve(this.doc) as Node | undefined) : node;
  }
}
