// fast-check generators for hostile user text: strings built from fragments that break out of Groovy, shell,
// YAML, XML and Kubernetes env values, mixed with random code points (lone surrogates included).
import fc from 'fast-check';

export const HOSTILE_FRAGMENTS = [
  "'", '"', '`', "'''", '"""', '${x}', '${', '$x', '$', '$$', '$(id)', '$(HOME)', '$/', '/$', '\\', '\\\\',
  "\\'", '\\u0027', '\\u005c', '\\uu0027', '\\u000a', '\\n', '\n', '\r', '\r\n', '\t', '\0', '\u2028', '\u2029',
  '\u0085', '\u00a0', '\ufeff', '\ufffe', '\u007f', '@Grab(\'evil:evil:1\')', '@Grab', 'System.exit(0)',
  "'); sh('id'); ('", "''' + evil() + '''", '"; evil(); "', '*/', '/*', '//', '#', '# comment', ';', '&&', '||',
  '|', '&', '<', '>', '</script>', ']]>', '<![CDATA[', '&amp;', '&#0;', '---', '...', '- ', ': ', '? ', '{', '}',
  '[', ']', ',', '!!python/object', '*alias', '&anchor', '%YAML 1.1', 'on', 'yes', 'null', '~', '0755', '1:20',
  '0x1F', '.inf', 'true', '=', '\u0000', '\u001b[31m', '😀', '\ud83d', '\ude00', 'é', 'ǅ', '\u202e', '\u200b',
  '%s', '%n', '!', '<<', '<<: *a', '=', '? ', 'step-0-0', 'stage(', '}}}', ')))', 'node {', 'POD_LABEL',
];

const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

/** Any string at all: fragments, random unicode, single UTF-16 code units (U+FFFF and lone surrogates too). */
export const adversarialString = fc
  .array(
    fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...HOSTILE_FRAGMENTS) },
      { weight: 2, arbitrary: fc.fullUnicodeString({ maxLength: 4 }) },
      { weight: 1, arbitrary: anyCodeUnit },
      { weight: 1, arbitrary: fc.asciiString({ maxLength: 6 }) },
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

/** The same, minus what no target can carry (checked separately): U+FFFF, lone surrogates and NUL. */
export const representableString = adversarialString.map((s) =>
  s.replace(/\uffff|\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '?'),
);
