// The one place where the minio client's errors become LogErrors.
import { LogError } from '../logs.errors';

const MISSING = new Set(['NoSuchKey', 'NotFound', 'NoSuchBucket']);
const REFUSED = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidBucketName', 'InvalidArgument']);

/** `what` names the call and the key (never a credential). Unknown failures count as unavailable: retry later. */
export function logErrorOf(err: unknown, what: string): LogError {
  if (err instanceof LogError) return err;
  const code = (err as { code?: unknown })?.code;
  const name = typeof code === 'string' ? code : (err as Error)?.name ?? 'error';
  const cause = Object.assign(new Error(name), { code: name });
  if (MISSING.has(name)) return new LogError('NotFound', `${what}: not found`, { cause });
  if (REFUSED.has(name)) return new LogError('Refused', `${what}: refused by MinIO (${name})`, { cause });
  return new LogError('Unavailable', `${what}: MinIO is unavailable (${name})`, { cause });
}
