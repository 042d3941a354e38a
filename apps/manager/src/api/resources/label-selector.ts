// Kubernetes label selectors (`app=web,tier!=db,env in (a,b),!legacy`), parsed once and matched against labels,
// for lists and watches served from the informer caches. The same string goes to the apiserver where it lists.

export type Requirement =
  | { key: string; op: 'exists' | 'notexists' }
  | { key: string; op: 'in' | 'notin'; values: string[] };

export interface LabelSelector {
  /** The selector as written (validated), to pass on to the apiserver. */
  raw: string;
  requirements: Requirement[];
}

export class SelectorError extends Error {}

const MAX_LENGTH = 4096;
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function parseLabelSelector(raw: string): LabelSelector {
  if (raw.length > MAX_LENGTH) throw new SelectorError(`longer than ${MAX_LENGTH} characters`);
  const requirements: Requirement[] = [];
  const s = new Scanner(raw);
  s.skipSpace();
  if (s.done()) return { raw, requirements };
  for (;;) {
    requirements.push(requirement(s));
    s.skipSpace();
    if (s.done()) break;
    s.expect(',');
  }
  return { raw, requirements };
}

function requirement(s: Scanner): Requirement {
  s.skipSpace();
  if (s.peek() === '!') {
    s.next();
    return { key: key(s), op: 'notexists' };
  }
  const k = key(s);
  s.skipSpace();
  if (s.done() || s.peek() === ',') return { key: k, op: 'exists' };
  if (s.take('==') || s.take('=')) return { key: k, op: 'in', values: [value(s)] };
  if (s.take('!=')) return { key: k, op: 'notin', values: [value(s)] };
  const word = s.word();
  if (word !== 'in' && word !== 'notin') throw new SelectorError(`expected =, ==, !=, in or notin after ${JSON.stringify(k)} at ${s.pos}`);
  s.skipSpace();
  s.expect('(');
  const values: string[] = [];
  for (;;) {
    s.skipSpace();
    values.push(value(s));
    s.skipSpace();
    if (s.take(')')) break;
    s.expect(',');
  }
  return { key: k, op: word, values };
}

function key(s: Scanner): string {
  s.skipSpace();
  const k = s.word();
  const slash = k.indexOf('/');
  const prefix = slash >= 0 ? k.slice(0, slash) : undefined;
  const name = slash >= 0 ? k.slice(slash + 1) : k;
  const valid = name.length <= 63 && NAME.test(name) && (prefix === undefined || (prefix.length <= 253 && PREFIX.test(prefix)));
  if (!valid) throw new SelectorError(`${JSON.stringify(k)} is not a label key`);
  return k;
}

function value(s: Scanner): string {
  s.skipSpace();
  const v = s.word();
  if (v !== '' && !(v.length <= 63 && NAME.test(v))) throw new SelectorError(`${JSON.stringify(v)} is not a label value`);
  return v;
}

class Scanner {
  pos = 0;
  constructor(private readonly text: string) {}

  done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text[this.pos];
  }

  next(): string {
    return this.text[this.pos++];
  }

  skipSpace(): void {
    while (!this.done() && /\s/.test(this.peek())) this.pos++;
  }

  take(token: string): boolean {
    if (!this.text.startsWith(token, this.pos)) return false;
    this.pos += token.length;
    return true;
  }

  expect(token: string): void {
    if (!this.take(token)) throw new SelectorError(`expected ${JSON.stringify(token)} at ${this.pos}`);
  }

  /** Up to the next operator, separator or space. */
  word(): string {
    const start = this.pos;
    while (!this.done() && !/[\s,=!()]/.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }
}

export function matchesSelector(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  const l = labels ?? {};
  return selector.requirements.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'exists': return has;
      case 'notexists': return !has;
      case 'in': return has && r.values.includes(l[r.key]);
      case 'notin': return !has || !r.values.includes(l[r.key]);
    }
  });
}
