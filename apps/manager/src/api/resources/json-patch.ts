// JSON merge patch (RFC 7396) and JSON patch (RFC 6902) applied to a copy of the current object, so the result can be
// checked as a whole (status, protected metadata, an execution's spec) before it is written. Patches come from
// clients: keys such as `__proto__` are ordinary keys here, and sizes are bounded.

export class PatchError extends Error {
  /** JSON pointer into the patch document that failed. */
  constructor(readonly pointer: string, message: string) {
    super(message);
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const MAX_OPERATIONS = 1000;
const has = (obj: object, key: string): boolean => Object.prototype.hasOwnProperty.call(obj, key);
const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Sets an own property even for `__proto__`, which plain assignment would take as the prototype. */
function put(obj: Record<string, Json>, key: string, value: Json): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const result: Record<string, Json> = isObject(target) ? structuredClone(target) : {};
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === null) delete result[key];
    else put(result, key, applyMergePatch(has(result, key) ? result[key] : undefined, value) as Json);
  }
  return result;
}

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

/** Applies the operations in order to a copy of `doc`; the first that fails throws a PatchError naming it. */
export function applyJsonPatch(doc: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw new PatchError('', 'a JSON patch is an array of operations');
  if (patch.length > MAX_OPERATIONS) throw new PatchError('', `at most ${MAX_OPERATIONS} operations`);
  let root = { '': structuredClone(doc) as Json } as Record<string, Json>;
  patch.forEach((raw, i) => {
    const op = checkOperation(raw, `/${i}`);
    root = applyOne(root, op, `/${i}`);
  });
  return root[''];
}

function checkOperation(raw: unknown, at: string): JsonPatchOperation {
  if (!isObject(raw)) throw new PatchError(at, 'an operation is an object');
  const { op, path, from } = raw;
  if (!['add', 'remove', 'replace', 'move', 'copy', 'test'].includes(op as string)) throw new PatchError(`${at}/op`, 'op is one of add, remove, replace, move, copy, test');
  if (typeof path !== 'string') throw new PatchError(`${at}/path`, 'path is a JSON pointer');
  if ((op === 'move' || op === 'copy') && typeof from !== 'string') throw new PatchError(`${at}/from`, 'from is a JSON pointer');
  if ((op === 'add' || op === 'replace' || op === 'test') && !has(raw, 'value')) throw new PatchError(`${at}/value`, `${op} needs a value`);
  return raw as unknown as JsonPatchOperation;
}

/** RFC 6901 tokens of a pointer, under the synthetic root key '' (so that "" names the whole document). */
function tokens(pointer: string, at: string): string[] {
  if (pointer !== '' && !pointer.startsWith('/')) throw new PatchError(at, `${JSON.stringify(pointer)} is not a JSON pointer`);
  return ['', ...(pointer === '' ? [] : pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~')))];
}

function parentOf(root: Record<string, Json>, path: string[], at: string): { parent: Record<string, Json> | Json[]; key: string } {
  let node: Json = root;
  for (const t of path.slice(0, -1)) {
    node = child(node, t, at);
  }
  if (typeof node !== 'object' || node === null) throw new PatchError(at, 'the path goes through a value that is not an object or array');
  return { parent: node, key: path[path.length - 1] };
}

function child(node: Json, key: string, at: string): Json {
  if (Array.isArray(node)) {
    const i = arrayIndex(key, node.length - 1, at);
    return node[i];
  }
  if (isObject(node) && has(node, key)) return node[key];
  throw new PatchError(at, `the path names ${JSON.stringify(key)}, which does not exist`);
}

function arrayIndex(key: string, max: number, at: string): number {
  if (!/^(0|[1-9]\d{0,8})$/.test(key)) throw new PatchError(at, `${JSON.stringify(key)} is not an array index`);
  const i = Number(key);
  if (i > max) throw new PatchError(at, `array index ${i} is out of range`);
  return i;
}

function get(root: Record<string, Json>, pointer: string, at: string): Json {
  let node: Json = root;
  for (const t of tokens(pointer, at)) node = child(node, t, at);
  return node;
}

function remove(root: Record<string, Json>, pointer: string, at: string): Json {
  const path = tokens(pointer, at);
  if (path.length === 1) throw new PatchError(at, 'cannot remove the whole document');
  const { parent, key } = parentOf(root, path, at);
  const value = child(parent, key, at);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
  return value;
}

function add(root: Record<string, Json>, pointer: string, value: Json, at: string, replace: boolean): void {
  const path = tokens(pointer, at);
  const { parent, key } = parentOf(root, path, at);
  if (Array.isArray(parent)) {
    if (key === '-' && !replace) parent.push(value);
    else if (replace) parent[arrayIndex(key, parent.length - 1, at)] = value;
    else parent.splice(arrayIndex(key, parent.length, at), 0, value);
    return;
  }
  if (replace && !has(parent, key)) throw new PatchError(at, `the path names ${JSON.stringify(key)}, which does not exist`);
  put(parent, key, value);
}

function applyOne(root: Record<string, Json>, op: JsonPatchOperation, at: string): Record<string, Json> {
  const value = structuredClone(op.value) as Json;
  switch (op.op) {
    case 'add': add(root, op.path, value, at, false); break;
    case 'replace': add(root, op.path, value, at, true); break;
    case 'remove': remove(root, op.path, at); break;
    case 'copy': add(root, op.path, structuredClone(get(root, op.from!, `${at}/from`)), at, false); break;
    case 'move': {
      if (op.path.startsWith(`${op.from}/`)) throw new PatchError(`${at}/path`, 'cannot move a value into itself');
      add(root, op.path, remove(root, op.from!, `${at}/from`), at, false);
      break;
    }
    case 'test':
      if (!deepEqual(get(root, op.path, at), value)) throw new PatchError(at, `test failed: ${op.path} is not the given value`);
      break;
  }
  return root;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((v, i) => deepEqual(v, (b as unknown[])[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => has(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
