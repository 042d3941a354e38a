// Authentication and CSRF protection of one instance, as Jenkins does them:
// - no Authorization header: 403 "Authentication required" (anonymous has no Overall/Read);
// - wrong user or password/token: 401 "Invalid password/token for user: <u>";
// - POST with a password: needs the crumb of GET /crumbIssuer/api/json together with the session cookie that
//   answer set (DefaultCrumbIssuer ties the crumb to user and web session), else 403 "No valid crumb...";
// - POST with an API token: no crumb needed (since 2.96).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { HttpError, type Exchange } from './exchange';

export interface JenkinsUser {
  username: string;
  password: string;
  /** When set, Basic auth with this token is token authentication (no crumb needed). */
  apiToken?: string;
}

export const CRUMB_FIELD = 'Jenkins-Crumb';

interface Session {
  id: string;
  user: string;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class InstanceAuth {
  private sessions = new Map<string, Session>();
  private salt = randomBytes(16).toString('hex');
  /** Jetty names the session cookie after the instance: `JSESSIONID.<8 hex>`. */
  readonly cookieName: string;

  constructor(instance: string) {
    this.cookieName = `JSESSIONID.${createHash('sha256').update(instance).digest('hex').slice(0, 8)}`;
  }

  /** Authenticates the request; sets `x.user`. Returns how (a token skips the crumb check). */
  authenticate(x: Exchange, user: JenkinsUser): 'password' | 'token' {
    const header = x.header('authorization');
    if (!header || !/^basic /i.test(header)) {
      throw new HttpError(403, 'Authentication required', { 'X-You-Are-Authenticated-As': 'anonymous', 'X-Required-Permission': 'hudson.model.Hudson.Read' });
    }
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new HttpError(401, 'Malformed HTTP basic Authorization header');
    const [name, secret] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
    if (same(name, user.username)) {
      x.user = name;
      if (user.apiToken !== undefined && user.apiToken !== '' && same(secret, user.apiToken)) return 'token';
      if (same(secret, user.password)) return 'password';
    }
    throw new HttpError(401, `Invalid password/token for user: ${name}`, { 'WWW-Authenticate': 'Basic realm="Jenkins"' });
  }

  /** The session of the request's cookie, or a new one announced with Set-Cookie. */
  session(x: Exchange): Session {
    const existing = this.sessionOf(x);
    if (existing && existing.user === x.user) return existing;
    const session = { id: `node0${randomBytes(12).toString('hex')}.node0`, user: x.user };
    this.sessions.set(session.id, session);
    x.extraHeaders['Set-Cookie'] = `${this.cookieName}=${session.id}; Path=${x.contextPath || '/'}; HttpOnly`;
    return session;
  }

  crumb(session: Session): string {
    return createHash('sha256').update(`${session.user};${session.id};${this.salt}`).digest('hex');
  }

  /** CrumbFilter: a POST authenticated by password needs a valid crumb for its session. */
  checkCrumb(x: Exchange, via: 'password' | 'token'): void {
    if (x.method !== 'POST' || via === 'token') return;
    const crumb = x.header(CRUMB_FIELD) ?? x.param(CRUMB_FIELD);
    const session = this.sessionOf(x);
    if (!crumb || !session || session.user !== x.user || !same(crumb, this.crumb(session))) {
      throw new HttpError(403, 'No valid crumb was included in the request');
    }
  }

  /** A restart ends every web session, so every crumb becomes invalid. */
  forget(): void {
    this.sessions = new Map();
    this.salt = randomBytes(16).toString('hex');
  }

  private sessionOf(x: Exchange): Session | undefined {
    const cookies = (x.header('cookie') ?? '').split(';').map((c) => c.trim().split('='));
    const id = cookies.find(([k]) => k === this.cookieName)?.[1];
    return id ? this.sessions.get(id) : undefined;
  }
}
