// Parsing of untrusted YAML. `.devops.yml` comes from any repository, so before the yaml library builds a
// document (which recurses per nesting level) or expands aliases (exponential in the worst case), one pass over
// the lexer's flat token stream enforces the caps: size, nesting depth, alias count, tags and directives.
// That pass stops at the first breach, so hostile input is refused after a few thousand tokens.

import { CST, Document, Lexer, LineCounter, parseDocument } from 'yaml';
import { ConfigIssue, PipelineConfigErrorCode } from './pipeline-config.errors';

export interface ParseLimits {
  /** Bytes of UTF-8. */
  maxBytes: number;
  /** Collections nested in each other, counted conservatively (a `- key:` line counts two). */
  maxDepth: number;
  /** `*alias` nodes in the text. */
  maxAliases: number;
  /** Nodes reachable through aliases when the document is turned into values (yaml's maxAliasCount). */
  maxAliasExpansion: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = {
  maxBytes: 512 * 1024,
  maxDepth: 64,
  maxAliases: 100,
  maxAliasExpansion: 10_000,
};

const CONTROL_TOKENS = new Set<string | null>(['doc-mode', 'scalar', 'flow-error-end']);

/** Explicit tags that only restate what the core schema resolves anyway; every other tag is refused. */
const ALLOWED_TAGS = new Set(['!!str', '!!int', '!!float', '!!bool', '!!null', '!!map', '!!seq']);

export interface ParsedYaml {
  doc: Document.Parsed;
  value: unknown;
  lineCounter: LineCounter;
}

export type SafeParseResult = { ok: true; parsed: ParsedYaml } | { ok: false; issues: ConfigIssue[] };

export interface SafeParseOptions {
  /** Duplicate keys are errors unless false (Rancher's decoder let the last one win; the caller then warns). */
  uniqueKeys?: boolean;
}

export function parseYamlSafely(text: string, file: string, limits: ParseLimits = DEFAULT_PARSE_LIMITS, options: SafeParseOptions = {}): SafeParseResult {
  const fail = (code: PipelineConfigErrorCode, offset: number, message: string, lc?: LineCounter): SafeParseResult => {
    const pos = lc ? lc.linePos(offset) : positionOf(text, offset);
    return { ok: false, issues: [{ code, file, line: pos.line, column: pos.col, path: '', message }] };
  };

  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxBytes) {
    return fail('ConfigTooLarge', 0, `file is ${bytes} bytes; expected at most ${limits.maxBytes}`);
  }
  const breach = scanTokens(text, limits);
  if (breach) return fail(breach.code, breach.offset, breach.message);

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    schema: 'core',
    customTags: [],
    merge: true,
    uniqueKeys: options.uniqueKeys ?? true,
    prettyErrors: false,
    strict: true,
  });
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) {
    return {
      ok: false,
      issues: problems.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { code: 'ConfigSyntax', file, line: pos.line, column: pos.col, path: '', message: syntaxMessage(e.code, e.message) };
      }),
    };
  }
  try {
    const value = doc.toJS({ maxAliasCount: limits.maxAliasExpansion });
    return { ok: true, parsed: { doc, value, lineCounter } };
  } catch (err) {
    const message = `aliases expand to too many nodes; expected at most ${limits.maxAliasExpansion}`;
    return fail('ConfigTooManyAliases', 0, message, lineCounter);
  }
}

interface Breach {
  code: PipelineConfigErrorCode;
  offset: number;
  message: string;
}

/**
 * Walks the lexer tokens once. Flow depth is exact; block depth is an upper bound from indentation: each line
 * that starts deeper than the line above adds the number of `-`, `?` and `:` indicators it holds.
 */
function scanTokens(text: string, limits: ParseLimits): Breach | undefined {
  const block: Array<{ indent: number; levels: number }> = [];
  let blockDepth = 0;
  let flowDepth = 0;
  let aliases = 0;
  let offset = 0;
  let atLineStart = true;
  let indent = 0;

  for (const token of new Lexer().lex(text)) {
    const at = offset;
    const type = CST.tokenType(token);
    // Control tokens (document mode, scalar marker, flow end) are not in the source text.
    if (!CONTROL_TOKENS.has(type)) offset += token.length;
    if (type === 'newline') {
      atLineStart = true;
      indent = 0;
      continue;
    }
    if (type === 'space' && atLineStart) {
      indent = token.length;
      continue;
    }
    if (type === 'comment' || type === 'space' || type === 'byte-order-mark') continue;
    if (type === 'doc-start' || type === 'doc-mode') {
      block.length = 0;
      blockDepth = 0;
      continue;
    }
    if (atLineStart && flowDepth === 0) {
      while (block.length > 0 && block[block.length - 1].indent >= indent) blockDepth -= block.pop()!.levels;
      block.push({ indent, levels: 0 });
    }
    atLineStart = false;
    switch (type) {
      case 'seq-item-ind':
      case 'explicit-key-ind':
      case 'map-value-ind':
        if (flowDepth === 0 && block.length > 0) {
          block[block.length - 1].levels++;
          blockDepth++;
        }
        break;
      case 'flow-map-start':
      case 'flow-seq-start':
        flowDepth++;
        break;
      case 'flow-map-end':
      case 'flow-seq-end':
        flowDepth = Math.max(0, flowDepth - 1);
        break;
      case 'alias':
        if (++aliases > limits.maxAliases) {
          return { code: 'ConfigTooManyAliases', offset: at, message: `more than ${limits.maxAliases} aliases; expected at most ${limits.maxAliases}` };
        }
        break;
      case 'tag':
        if (!ALLOWED_TAGS.has(token)) {
          return { code: 'ConfigSyntax', offset: at, message: `tag ${token} is not allowed; expected plain YAML without custom tags` };
        }
        break;
      case 'directive-line':
        if (!token.startsWith('%YAML')) {
          return { code: 'ConfigSyntax', offset: at, message: `directive ${token.split(/\s/)[0]} is not allowed; expected no %TAG directives` };
        }
        break;
    }
    if (blockDepth + flowDepth > limits.maxDepth) {
      return { code: 'ConfigTooDeep', offset: at, message: `nesting deeper than ${limits.maxDepth} levels; expected at most ${limits.maxDepth}` };
    }
  }
  return undefined;
}

/** yaml's messages end with " at line L, column C" even without pretty errors; we print positions ourselves. */
function syntaxMessage(code: string, message: string): string {
  if (code === 'DUPLICATE_KEY') return 'duplicate key; expected each key at most once in a mapping';
  if (code === 'MULTIPLE_DOCS') return 'several YAML documents; expected exactly one';
  if (code === 'TAG_RESOLVE_FAILED') return 'unknown tag; expected plain YAML without custom tags';
  return `invalid YAML: ${message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '').replace(/\s+$/, '')}`;
}

/** 1-based line and column of an offset, for breaches found before a LineCounter exists. */
export function positionOf(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, col: offset - lineStart + 1 };
}
