import fc from 'fast-check';
import { ByteAutomaton } from './byte-automaton';
import { base64Forms, maskForms, MIN_SECRET_LENGTH } from './secret-forms';
import { SecretMasker } from './secret-masker';

const SECRET = 's3cr3t-T0ken/with+chars=';
const masked = (secrets: string[], chunks: Array<string | Buffer>, maxLineBytes?: number): string => {
  const { masker } = SecretMasker.for(secrets.map((value, i) => ({ source: `secret ${i}`, value })), { maxLineBytes });
  const out = chunks.map((c) => masker.push(Buffer.isBuffer(c) ? c : Buffer.from(c)));
  out.push(masker.end());
  return Buffer.concat(out).toString('utf8');
};

describe('SecretMasker', () => {
  it('replaces a raw value by ***', () => {
    expect(masked([SECRET], [`token is ${SECRET} ok\n`])).toBe('token is *** ok\n');
  });

  it('replaces the value in base64 at each of the three alignments, standard and URL alphabets, padded or not', () => {
    for (const prefix of ['', 'a', 'ab', 'abc']) {
      for (const suffix of ['', 'z', 'zz']) {
        const std = Buffer.from(`${prefix}${SECRET}${suffix}`).toString('base64');
        const url = Buffer.from(`${prefix}${SECRET}${suffix}`).toString('base64url');
        for (const encoded of [std, std.replace(/=+$/, ''), url]) {
          const out = masked([SECRET], [`${encoded}\n`]);
          expect(out).toContain('***');
          // Left around the mask: the neighbouring bytes' own characters (at most 4 each side for up to 3 bytes),
          // one character each side that mixes them with the value, and padding.
          expect(out.replace('***', '').replace(/=+$/, '').trim().length).toBeLessThanOrEqual(10);
        }
      }
    }
  });

  it('replaces the URL-encoded and JSON-escaped forms', () => {
    const value = 'p@ss w/"quote"\\é-long';
    const out = masked([value], [
      `${encodeURIComponent(value)}\n`, `${encodeURIComponent(value).replace(/%20/g, '+')}\n`, `${JSON.stringify({ v: value })}\n`,
      `${JSON.stringify(value).replace(/\//g, '\\/')}\n`,
    ]);
    expect(out).toBe('***\n***\n{"v":"***"}\n"***"\n');
  });

  it('masks each line of a multi-line value, and says so', () => {
    const key = '-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEF\nAASCBKcwggSjAgEAAoIBAQC7\n-----END KEY-----';
    const { masker, warnings } = SecretMasker.for([{ source: 'Secret demo/tls key tls.key', value: key }]);
    const out = Buffer.concat([masker.push(Buffer.from(`cat key\n${key.split('\n').slice(1, 3).join('\n')}\n`)), masker.end()]).toString();
    expect(out).toBe('cat key\n***\n***\n');
    expect(warnings).toEqual(['Secret demo/tls key tls.key spans 4 lines: it is masked line by line']);
  });

  it('refuses to mask values shorter than 8 characters, naming the source and never the value', () => {
    const { forms, warnings } = maskForms([{ source: 'Secret demo/app key PIN', value: '1234567' }, { source: 'Secret demo/app key TOKEN', value: 'abcdefgh' }]);
    expect(warnings).toEqual([`Secret demo/app key PIN is not masked: 7 characters, fewer than ${MIN_SECRET_LENGTH}`]);
    expect(warnings.join()).not.toContain('1234567');
    expect(forms).toContain('abcdefgh');
    expect(forms.every((f) => Buffer.byteLength(f) >= MIN_SECRET_LENGTH)).toBe(true);
  });

  it('masks a value split across two reads at every position', () => {
    const line = `echo ${SECRET} done\n`;
    for (let cut = 0; cut <= line.length; cut++) {
      expect(masked([SECRET], [line.slice(0, cut), line.slice(cut)])).toBe('echo *** done\n');
    }
  });

  it('holds back an incomplete last line until its newline arrives, and lets it out at the end', () => {
    const { masker } = SecretMasker.for([{ source: 's', value: SECRET }]);
    expect(masker.push(Buffer.from(`one\ntwo ${SECRET.slice(0, 5)}`)).toString()).toBe('one\n');
    expect(masker.held).toBe(9);
    expect(masker.push(Buffer.from(SECRET.slice(5))).toString()).toBe('');
    expect(masker.end().toString()).toBe('two ***');
  });

  it('lets out an overlong line in parts without ever letting a secret through', () => {
    const filler = 'x'.repeat(100);
    const text = `${filler}${SECRET}${filler}${SECRET}${filler}\n`;
    for (let size = 1; size <= 64; size += 7) {
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      const { masker } = SecretMasker.for([{ source: 's', value: SECRET }], { maxLineBytes: 60 });
      const parts = chunks.map((c) => masker.push(Buffer.from(c)));
      expect(masker.held).toBeLessThanOrEqual(60 + size);
      expect(Buffer.concat([...parts, masker.end()]).toString()).toBe(`${filler}***${filler}***${filler}\n`);
    }
  });

  it('leaves text without secrets byte for byte, invalid UTF-8 included', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(300), { maxLength: 4 }), (bytes, cuts) => {
      const data = Buffer.from(bytes);
      const points = [...new Set(cuts.map((c) => Math.min(c, data.length)))].sort((a, b) => a - b);
      const chunks = [...points, data.length].map((end, i) => data.subarray(i === 0 ? 0 : points[i - 1], end));
      const { masker } = SecretMasker.for([{ source: 's', value: SECRET }], { maxLineBytes: 64 });
      const out = Buffer.concat([...chunks.map((c) => masker.push(c)), masker.end()]);
      expect(out.equals(data)).toBe(true);
    }));
  });

  it('never lets any form of the value through, wherever the reads cut it', () => {
    const forms = (v: string) => [v, ...base64Forms(v), encodeURIComponent(v), JSON.stringify(v).slice(1, -1)];
    fc.assert(fc.property(
      fc.string({ minLength: 8, maxLength: 64 }).filter((s) => s.trim().length >= 8),
      fc.constantFrom('raw', 'b64', 'b64url', 'url', 'json'),
      fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), fc.nat(200), fc.integer({ min: 16, max: 4096 }),
      (secret, form, before, after, cut, maxLineBytes) => {
        const encode: Record<string, (s: string) => string> = {
          raw: (s) => s, b64: (s) => Buffer.from(`${before}${s}${after}`).toString('base64'),
          b64url: (s) => Buffer.from(`${before}${s}${after}`).toString('base64url'), url: encodeURIComponent, json: (s) => JSON.stringify(s).slice(1, -1),
        };
        const line = Buffer.from(`${before}|${encode[form](secret)}|${after}\n`);
        const at = Math.min(cut, line.length);
        const out = masked([secret], [line.subarray(0, at), line.subarray(at)], maxLineBytes);
        for (const f of forms(secret)) if (Buffer.byteLength(f) >= 8) expect(out).not.toContain(f);
      },
    ), { numRuns: 300 });
  });
});

describe('ByteAutomaton', () => {
  it('merges overlapping matches, a longer one swallowing the shorter ones inside it', () => {
    const a = new ByteAutomaton(['bcd', 'f', 'abcdefg'].map((s) => Buffer.from(s)));
    expect(a.ranges(Buffer.from('xabcdefgx bcd f'))).toEqual([[1, 8], [10, 13], [14, 15]]);
  });
});
