// Typed reads of a hostile JSON payload: each read names the field it wanted, so a malformed delivery is
// answered with what was wrong, and nothing downstream sees a value of the wrong type.
import { WebhookPayloadError } from './webhook-event';

export class PayloadReader {
  /** `prefix` is where `root` sits in the whole payload, so errors name the full field path. */
  constructor(private readonly root: unknown, private readonly prefix = '') {}

  private field(path: string): string {
    return this.prefix + path;
  }

  private at(path: string): unknown {
    let value: unknown = this.root;
    for (const key of path.split('.')) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
      value = Object.prototype.hasOwnProperty.call(value, key) ? (value as Record<string, unknown>)[key] : undefined;
    }
    return value;
  }

  has(path: string): boolean {
    const value = this.at(path);
    return value !== undefined && value !== null;
  }

  /** A string, or undefined when absent or null; any other type is an error. */
  optionalString(path: string): string | undefined {
    const value = this.at(path);
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    if (typeof value !== 'string') throw new WebhookPayloadError(`field ${this.field(path)} must be a string`);
    return value;
  }

  string(path: string): string {
    const value = this.optionalString(path);
    if (value === undefined || value === '') throw new WebhookPayloadError(`field ${this.field(path)} is missing`);
    return value;
  }

  optionalBoolean(path: string): boolean | undefined {
    const value = this.at(path);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw new WebhookPayloadError(`field ${this.field(path)} must be a boolean`);
    return value;
  }

  integer(path: string): number {
    const value = this.at(path);
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new WebhookPayloadError(`field ${this.field(path)} must be a non-negative integer`);
    return value;
  }

  /** An array of objects, each as a reader; absent or null is empty. */
  list(path: string): PayloadReader[] {
    const value = this.at(path);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw new WebhookPayloadError(`field ${this.field(path)} must be an array`);
    return value.map((item, i) => new PayloadReader(item, `${this.field(path)}[${i}].`));
  }

  /** A nested object as a reader (absent reads as empty). */
  child(path: string): PayloadReader {
    return new PayloadReader(this.at(path), `${this.field(path)}.`);
  }
}

const ZERO_SHA = /^0+$/;
/** A SHA of only zeros: the "before" of a created ref or the "after" of a deleted one. */
export const isZeroSha = (sha: string | undefined): boolean => sha === undefined || sha === '' || ZERO_SHA.test(sha);

/** First line of a commit message, at most 1024 characters (the CRD's cap on title). */
export const firstLine = (message: string | undefined): string | undefined => message?.split('\n', 1)[0].slice(0, 1024) || undefined;

/** Splits git's `Name <email>` as Bitbucket sends an author. */
export function splitAuthor(raw: string | undefined): { name?: string; email?: string } {
  if (!raw) return {};
  const match = /^(.*?)\s*<([^>]*)>\s*$/.exec(raw);
  return match ? { name: match[1] || undefined, email: match[2] || undefined } : { name: raw };
}
