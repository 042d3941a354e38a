// The registry proves itself with a static header its configuration carries (`Authorization: Bearer <token>`,
// the form Distribution's notification docs show): compared in constant time with the project's token, closed
// when the project has none.
import { equalInConstantTime, type SignatureVerdict } from '../signature';

export function verifyRegistryToken(authorization: string | string[] | undefined, token: string | undefined): SignatureVerdict {
  if (!token) return { ok: false, reason: 'the project has no registry token; nothing is accepted without one' };
  const sent = Array.isArray(authorization) ? authorization[0] : authorization;
  if (sent === undefined || sent === '') return { ok: false, reason: 'Authorization is missing' };
  const match = /^Bearer +(\S+)\s*$/i.exec(sent);
  if (!match) return { ok: false, reason: 'Authorization is not a Bearer token' };
  return equalInConstantTime(Buffer.from(match[1], 'utf8'), Buffer.from(token, 'utf8'))
    ? { ok: true } : { ok: false, reason: 'the Bearer token is not the project\'s registry token' };
}
