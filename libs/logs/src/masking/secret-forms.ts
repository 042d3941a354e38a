// The forms in which a build may print a secret value it was given (B12): as is, line by line, base64 at each of
// the three alignments it can have inside a longer base64 text (standard and URL alphabets), URL-encoded and
// JSON-escaped. Each form is a literal the masker replaces by `***`.

/** Shorter values would mask ordinary words everywhere (GitLab refuses them, GitHub's runner over-masks). */
export const MIN_SECRET_LENGTH = 8;

export interface SecretSource {
  /** Where the value comes from, for warnings: `Secret demo/npm key TOKEN`. Never the value. */
  source: string;
  value: string;
}

export interface MaskForms {
  /** Literals to replace (UTF-8), longest first, each at least MIN_SECRET_LENGTH bytes. */
  forms: string[];
  /** Why a value, or a line of one, is not masked or masked only in part; names the source and lengths only. */
  warnings: string[];
}

/** Every form of every value, with warnings for the values too short to mask. */
export function maskForms(secrets: readonly SecretSource[]): MaskForms {
  const forms = new Set<string>();
  const warnings: string[] = [];
  for (const { source, value } of secrets) {
    const trimmed = value.trim();
    if (trimmed.length === 0) continue;
    const lines = trimmed.split(/\r\n|\r|\n/).map((l) => l.trim()).filter((l) => l.length > 0);
    if (lines.length > 1) warnings.push(`${source} spans ${lines.length} lines: it is masked line by line`);
    if (trimmed.length < MIN_SECRET_LENGTH) {
      warnings.push(`${source} is not masked: ${trimmed.length} characters, fewer than ${MIN_SECRET_LENGTH}`);
      continue;
    }
    const values = new Set([value, trimmed]);
    for (const [i, line] of lines.entries()) {
      if (lines.length === 1) break;
      if (line.length < MIN_SECRET_LENGTH) warnings.push(`${source}: line ${i + 1} is not masked on its own: ${line.length} characters, fewer than ${MIN_SECRET_LENGTH}`);
      else values.add(line);
    }
    for (const v of values) for (const form of formsOf(v)) if (Buffer.byteLength(form) >= MIN_SECRET_LENGTH) forms.add(form);
  }
  return { forms: [...forms].sort((a, b) => Buffer.byteLength(b) - Buffer.byteLength(a)), warnings };
}

function formsOf(value: string): string[] {
  return [value, ...base64Forms(value), ...urlForms(value), ...jsonForms(value)];
}

/**
 * Inside a longer base64 text a value starts at one of three byte alignments. For each, the characters that
 * depend on the value alone: encode it behind 0, 1 or 2 filler bytes, drop the characters that mix in the
 * filler (0, 2 or 3) and the last one when it mixes in what follows. Plus the whole encoding with and without
 * padding, for a value encoded on its own. Standard and URL alphabets both.
 */
export function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const out: string[] = [];
  for (const shift of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64').replace(/=+$/, '');
    const end = (shift + bytes.length) % 3 === 0 ? encoded.length : encoded.length - 1;
    const core = encoded.slice([0, 2, 3][shift], end);
    out.push(core, toUrlAlphabet(core));
  }
  const whole = bytes.toString('base64');
  out.push(whole, whole.replace(/=+$/, ''), toUrlAlphabet(whole), toUrlAlphabet(whole).replace(/=+$/, ''));
  return [...new Set(out)].filter((f) => f.length > 0);
}

function toUrlAlphabet(base64: string): string {
  return base64.replace(/\+/g, '-').replace(/\//g, '_');
}

/** Percent-encoded as encodeURIComponent does, with lower-case hex, and as a form value (space as `+`). */
export function urlForms(value: string): string[] {
  const encoded = encodeURIComponent(value);
  if (encoded === value) return [];
  const lower = encoded.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase());
  const form = encoded.replace(/%20/g, '+');
  return [...new Set([encoded, lower, form])];
}

/** Inside a JSON string: JSON.stringify's escapes, with `/` escaped too, and with every non-ASCII as \uXXXX. */
export function jsonForms(value: string): string[] {
  const plain = JSON.stringify(value).slice(1, -1);
  const slashed = plain.replace(/\//g, '\\/');
  const ascii = plain.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return [...new Set([plain, slashed, ascii])].filter((f) => f !== value);
}
