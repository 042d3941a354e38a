// The Jenkinsfile as a tree of statements and `{ }` blocks, built from the tokens of the engine's Groovy lexer.
// Enough structure to walk the fixed shape the compiler emits; not a Groovy parser.
import type { GroovyToken } from '../../../../libs/engine-jenkins/src/compiler/testing/groovy-source.lexer';

/** One statement: the tokens of a line (or up to a `{`), without newlines and comments. */
export interface GroovyStatement {
  kind: 'statement';
  tokens: GroovyToken[];
}

/** A `{ ... }` block with the tokens of its head (`stage('x')`, `'step-0-0 x':`, `def f(String a)`). */
export interface GroovyBlock {
  kind: 'block';
  head: GroovyToken[];
  body: GroovyNode[];
}

export type GroovyNode = GroovyStatement | GroovyBlock;

export class ScriptShapeError extends Error {}

function isPunct(t: GroovyToken | undefined, text: string): boolean {
  return t !== undefined && t.kind === 'punct' && t.text === text;
}

/** Splits the token stream into statements and nested blocks. */
export function groovyBlocks(tokens: GroovyToken[]): GroovyNode[] {
  const root: GroovyBlock = { kind: 'block', head: [], body: [] };
  const stack: GroovyBlock[] = [root];
  let pending: GroovyToken[] = [];
  const flush = () => {
    // A `,` left over after the `}` of a closure argument belongs to no statement of its own.
    while (pending.length > 0 && isPunct(pending[0], ',')) pending.shift();
    if (pending.length > 0) stack[stack.length - 1].body.push({ kind: 'statement', tokens: pending });
    pending = [];
  };
  for (const t of tokens) {
    if (t.kind === 'comment') continue;
    if (t.kind === 'newline') {
      flush();
    } else if (isPunct(t, '{')) {
      while (pending.length > 0 && isPunct(pending[0], ',')) pending.shift();
      const block: GroovyBlock = { kind: 'block', head: pending, body: [] };
      pending = [];
      stack[stack.length - 1].body.push(block);
      stack.push(block);
    } else if (isPunct(t, '}')) {
      flush();
      if (stack.length === 1) throw new ScriptShapeError('unbalanced }');
      stack.pop();
    } else {
      pending.push(t);
    }
  }
  flush();
  if (stack.length !== 1) throw new ScriptShapeError('unbalanced {');
  return root.body;
}

export function identifierAt(tokens: GroovyToken[], index: number): string | undefined {
  const t = tokens[index];
  return t?.kind === 'identifier' ? t.text : undefined;
}

/** The call name a statement or block head starts with (`stage`, `parallel`, `writeFile`, ...). */
export function callName(tokens: GroovyToken[]): string | undefined {
  return identifierAt(tokens, 0);
}

/**
 * The string value of a named argument `name: 'a'`, `name: ('a' + 'b')` or `name: x + 'a'` (string literals
 * concatenated; identifiers such as `keelsonDir` are skipped). Undefined when absent.
 */
export function namedString(tokens: GroovyToken[], name: string): string | undefined {
  const at = tokens.findIndex((t, i) => t.kind === 'identifier' && t.text === name && isPunct(tokens[i + 1], ':'));
  if (at < 0) return undefined;
  return stringExpression(tokens, at + 2);
}

/** A named argument written as a number (`time: 30`). */
export function namedNumber(tokens: GroovyToken[], name: string): number | undefined {
  const at = tokens.findIndex((t, i) => t.kind === 'identifier' && t.text === name && isPunct(tokens[i + 1], ':'));
  const value = tokens[at + 2];
  return at >= 0 && value?.kind === 'number' ? Number(value.text) : undefined;
}

/** The first positional string argument: `stage('x')`, `error('x')`, `container('x')`. */
export function firstStringArgument(tokens: GroovyToken[]): string | undefined {
  if (!isPunct(tokens[1], '(')) return undefined;
  const first = tokens[2];
  if (first?.kind === 'identifier' && isPunct(tokens[3], ':')) return undefined; // named arguments
  return stringExpression(tokens, 2);
}

/** The number in `retry(3)`. */
export function firstNumberArgument(tokens: GroovyToken[]): number | undefined {
  const t = tokens[2];
  return isPunct(tokens[1], '(') && t?.kind === 'number' ? Number(t.text) : undefined;
}

/** String literals joined by `+` from `start`, until a `,` or the closing `)` at depth 0. */
function stringExpression(tokens: GroovyToken[], start: number): string | undefined {
  let depth = 0;
  let value: string | undefined;
  for (let i = start; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'string') value = (value ?? '') + t.value;
    else if (isPunct(t, '(') || isPunct(t, '[')) depth++;
    else if (isPunct(t, ')') || isPunct(t, ']')) {
      if (depth === 0) break;
      depth--;
    } else if (isPunct(t, ',') && depth === 0) break;
  }
  return value;
}
