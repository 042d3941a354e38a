// Jenkins' `?tree=` filter (stapler TreePruner): `a,b[c,d{0,2}],e`. Only the named properties are kept, plus
// `_class`, which Jenkins always writes; `{m,n}` slices an array. A client that asks for `builds[number]` gets
// no `result`, exactly as from Jenkins.

export interface TreeNode {
  name: string;
  children?: TreeNode[];
  range?: { from: number; to?: number };
}

export class TreeSyntaxError extends Error {}

export function parseTree(spec: string): TreeNode[] {
  let i = 0;
  const list = (closing?: string): TreeNode[] => {
    const nodes: TreeNode[] = [];
    for (;;) {
      const m = /[^,[\]{}]*/y;
      m.lastIndex = i;
      const name = (m.exec(spec) as RegExpExecArray)[0].trim();
      i = m.lastIndex;
      const node: TreeNode = { name };
      if (spec[i] === '[') {
        i++;
        node.children = list(']');
      }
      if (spec[i] === '{') {
        const end = spec.indexOf('}', i);
        if (end < 0) throw new TreeSyntaxError('unterminated {');
        const [from, to] = spec.slice(i + 1, end).split(',');
        const f = from.trim() === '' ? 0 : Number(from);
        const t = to === undefined ? f + 1 : to.trim() === '' ? undefined : Number(to);
        if (!Number.isInteger(f) || (t !== undefined && !Number.isInteger(t))) throw new TreeSyntaxError(`bad range ${spec.slice(i, end + 1)}`);
        node.range = { from: f, to: t };
        i = end + 1;
      }
      if (name) nodes.push(node);
      if (spec[i] === ',') {
        i++;
        continue;
      }
      if (closing) {
        if (spec[i] !== closing) throw new TreeSyntaxError(`expected ${closing}`);
        i++;
      } else if (i < spec.length) {
        throw new TreeSyntaxError(`unexpected ${spec[i]}`);
      }
      return nodes;
    }
  };
  return list();
}

export function applyTree(value: unknown, tree: TreeNode[]): unknown {
  if (Array.isArray(value)) return value.map((v) => applyTree(v, tree));
  if (value === null || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if ('_class' in source) out._class = source._class;
  for (const node of tree) {
    if (!(node.name in source)) continue;
    let v = source[node.name];
    if (Array.isArray(v) && node.range) v = v.slice(node.range.from, node.range.to);
    // A bean named without a sub-tree shows only its `_class`, as in Jenkins.
    out[node.name] = applyTree(v, node.children ?? []);
  }
  return out;
}
