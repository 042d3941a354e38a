// Who the bearer token says it is, for the settings page. A Kubernetes service-account token or an OIDC ID token
// is a JWT whose payload names its subject; the console only reads it for display (the manager verifies every
// call). Any other token is opaque: the console then says so instead of guessing.
export interface TokenIdentity {
  subject?: string;
  name?: string;
  email?: string;
  issuer?: string;
  expires?: Date;
}

function decodeSegment(segment: string): unknown {
  const b64 = segment.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(segment.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/** The JWT's claims that name a person, or undefined for a token that is not a JWT. */
export function tokenIdentity(token: string | undefined): TokenIdentity | undefined {
  const parts = token?.split('.');
  if (!parts || parts.length !== 3) return undefined;
  try {
    const claims = decodeSegment(parts[1]) as Record<string, unknown>;
    if (!claims || typeof claims !== 'object') return undefined;
    const exp = typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : undefined;
    return {
      subject: text(claims.sub), name: text(claims.name) ?? text(claims.preferred_username), email: text(claims.email),
      issuer: text(claims.iss), expires: exp,
    };
  } catch {
    return undefined;
  }
}
