// Builds Groovy source line by line with indentation. It has no way to insert raw text from a value: callers
// pass code fragments they wrote themselves and user text only through `str`, which is groovyString.
import { groovyStringExpression } from '../escape';

/** The only way user text enters Groovy source. */
export const str = groovyStringExpression;

export class GroovyWriter {
  private readonly lines: string[] = [];
  private depth = 0;

  line(code: string): this {
    this.lines.push(code === '' ? '' : '  '.repeat(this.depth) + code);
    return this;
  }

  /** `head {` ... `}` around whatever `body` writes. */
  block(head: string, body: () => void, tail = '}'): this {
    this.line(`${head} {`);
    this.indent(body);
    return this.line(tail);
  }

  indent(body: () => void): this {
    this.depth++;
    body();
    this.depth--;
    return this;
  }

  toString(): string {
    return this.lines.join('\n') + '\n';
  }
}

/** Named arguments `a: x, b: y` from already-rendered Groovy expressions, in the given order. */
export function namedArgs(args: Array<[string, string | undefined]>): string {
  return args.filter((a): a is [string, string] => a[1] !== undefined).map(([k, v]) => `${k}: ${v}`).join(', ');
}
