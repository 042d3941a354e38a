/** A form as a page serves it: where it posts and what its inputs and buttons would submit. */
export interface HtmlForm {
  action: string;
  method: string;
  /** name → value of the inputs a browser submits unchanged (hidden, text, password; checkboxes when checked). */
  fields: Record<string, string>;
  /** Submit buttons, each contributing its own name=value when it is the one pressed. */
  buttons: Array<{ name: string; value: string }>;
}

/**
 * The forms of an HTML page, read with regular expressions: enough for server-rendered pages like Gitea's login
 * and OAuth grant forms (no scripts, no nested forms), not a general HTML parser.
 */
export function parseForms(html: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const match of html.matchAll(/<form\b((?:[^>"']|"[^"]*"|'[^']*')*)>([\s\S]*?)<\/form>/gi)) {
    const attrs = parseAttributes(match[1]);
    const form: HtmlForm = { action: attrs.action ?? '', method: (attrs.method ?? 'get').toLowerCase(), fields: {}, buttons: [] };
    for (const element of match[2].matchAll(/<(input|button)\b((?:[^>"']|"[^"]*"|'[^']*')*)>/gi)) {
      const a = parseAttributes(element[2]);
      if (a.name === undefined || 'disabled' in a) continue;
      const type = (a.type ?? (element[1].toLowerCase() === 'button' ? 'submit' : 'text')).toLowerCase();
      if (type === 'submit') form.buttons.push({ name: a.name, value: a.value ?? '' });
      else if (type === 'checkbox' || type === 'radio') {
        if ('checked' in a) form.fields[a.name] = a.value ?? 'on';
      } else if (type !== 'button' && type !== 'reset' && type !== 'file') form.fields[a.name] = a.value ?? '';
    }
    forms.push(form);
  }
  return forms;
}

function parseAttributes(source: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of source.matchAll(/([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g)) {
    attrs[m[1].toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return attrs;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'" };

/** The character references a server's escaping produces (named basics, decimal, hex). */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1].toLowerCase() === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
}
