import { CookieJar } from './cookie-jar';
import { decodeEntities, HtmlForm, parseForms } from './html-form';

export interface GiteaAuthorizeOptions {
  username: string;
  password: string;
  clientId: string;
  redirectUri: string;
  state: string;
  /** Sent as `scope` when given. */
  scope?: string;
  /** PKCE, sent as code_challenge with method S256 when given. */
  codeChallenge?: string;
}

export interface GiteaAuthorization {
  code: string;
  state: string;
  /** The full redirect Gitea sent the browser to (redirectUri with code and state); not followed. */
  callbackUrl: string;
  /** Whether Gitea showed its consent page (first authorization) rather than redirecting straight back. */
  consentShown: boolean;
}

/**
 * What a user does in a browser to authorize an OAuth app, done over plain HTTP against Gitea's real pages: sign
 * in through the login form, open /login/oauth/authorize, press "Authorize" on the grant page when Gitea shows
 * one, and capture the redirect to redirectUri without following it.
 */
export async function giteaAuthorize(gitea: { url: string }, options: GiteaAuthorizeOptions): Promise<GiteaAuthorization> {
  const browser = await signIn(gitea, options);

  const query = new URLSearchParams({
    client_id: options.clientId, redirect_uri: options.redirectUri, response_type: 'code', state: options.state,
  });
  if (options.scope !== undefined) query.set('scope', options.scope);
  if (options.codeChallenge !== undefined) {
    query.set('code_challenge', options.codeChallenge);
    query.set('code_challenge_method', 'S256');
  }
  let answer = await browser.get(`/login/oauth/authorize?${query}`);
  if (!answer.location && answer.status >= 400) {
    // Errors Gitea cannot send back to a trusted redirect URI (unknown client, unregistered URI) get a page.
    throw new Error(`gitea authorize refused: HTTP ${answer.status}: ${authorizeError(answer.body) ?? ''}`);
  }
  const consentShown = !answer.location;
  if (consentShown) {
    const grant = findForm(answer, (f) => /\/login\/oauth\/grant$/.test(f.action), 'the grant form of /login/oauth/authorize');
    const authorize = grant.buttons.find((b) => b.name === 'granted' && b.value === 'true');
    if (!authorize) throw new Error('gitea grant form has no granted=true button');
    answer = await browser.submit(grant, { [authorize.name]: authorize.value });
  }
  if (!answer.location) throw new Error(`gitea authorize did not redirect: HTTP ${answer.status}: ${flashError(answer.body) ?? ''}`);

  const callback = new URL(answer.location, gitea.url);
  if (!callback.href.startsWith(options.redirectUri)) {
    throw new Error(`gitea authorize redirected to ${callback.origin}${callback.pathname}, not to redirectUri`);
  }
  const error = callback.searchParams.get('error');
  if (error) throw new Error(`gitea authorize answered error=${error}: ${callback.searchParams.get('error_description') ?? ''}`);
  const code = callback.searchParams.get('code');
  if (!code) throw new Error('gitea authorize redirect has no code');
  return { code, state: callback.searchParams.get('state') ?? '', callbackUrl: callback.href, consentShown };
}

/**
 * What a user does under Settings → Applications → "Revoke" for an app they authorized: deletes their grant, and
 * with it every access and refresh token issued under it (Gitea's API has no route for grants). The grant id is
 * the `gnt` claim of the app's tokens (they are JWTs).
 */
export async function giteaRevokeGrant(gitea: { url: string }, options: { username: string; password: string; grantId: number }): Promise<void> {
  const browser = await signIn(gitea, options);
  // The handler reads only grantId (and the signed-in owner); the app id in the path is not checked.
  const answer = await browser.post(`/user/settings/applications/oauth2/0/revoke/${options.grantId}`, {});
  if (answer.status !== 200) throw new Error(`gitea revoke of grant ${options.grantId} answered HTTP ${answer.status}: ${flashError(answer.body) ?? ''}`);
}

/** A browser signed in through the login form, as `username`. */
async function signIn(gitea: { url: string }, options: { username: string; password: string }): Promise<HeadlessBrowser> {
  const browser = new HeadlessBrowser(gitea.url);
  const loginPage = await browser.get('/user/login');
  const login = findForm(loginPage, (f) => 'user_name' in f.fields && 'password' in f.fields, 'the login form on /user/login');
  const signedIn = await browser.submit(login, { user_name: options.username, password: options.password });
  // A successful sign-in redirects; a failed one renders the form again with a flash message.
  if (!signedIn.location) throw new Error(`gitea login as ${options.username} failed: ${flashError(signedIn.body) ?? `HTTP ${signedIn.status}`}`);
  return browser;
}

interface Page {
  /** Where the page was fetched from, absolute: an empty form action posts back here. */
  url: string;
  status: number;
  body: string;
  /** The Location of a redirect, absolute; undefined when the answer is not a redirect. */
  location?: string;
}

/** Requests with one site's cookies, redirects reported rather than followed. */
class HeadlessBrowser {
  private readonly jar = new CookieJar();

  constructor(private readonly origin: string) {}

  get(path: string): Promise<Page> {
    return this.request('GET', path);
  }

  /**
   * Posts the form's own fields (hidden ones included: a `_csrf` token when the Gitea version has one; 1.26
   * relies on cross-origin checks instead) plus `values`, as a browser would: form-urlencoded, same origin.
   */
  submit(form: HtmlForm, values: Record<string, string>): Promise<Page> {
    if (form.method !== 'post') throw new Error(`form ${form.action} has method ${form.method}, expected post`);
    return this.post(form.action, { ...form.fields, ...values });
  }

  /** A same-origin form POST a page's script would send (Gitea's "link-action" buttons). */
  post(path: string, values: Record<string, string>): Promise<Page> {
    return this.request('POST', path, new URLSearchParams(values).toString());
  }

  private async request(method: string, path: string, body?: string): Promise<Page> {
    const headers: Record<string, string> = { Accept: 'text/html' };
    const cookie = this.jar.header();
    if (cookie) headers.Cookie = cookie;
    if (body !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      // A browser's same-origin POST carries these; Gitea's cross-origin protection checks them.
      headers.Origin = this.origin;
      headers['Sec-Fetch-Site'] = 'same-origin';
    }
    const res = await fetch(new URL(path, this.origin), { method, headers, body, redirect: 'manual' });
    this.jar.store(res);
    const text = await res.text();
    const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') ?? undefined : undefined;
    if (res.status >= 500) throw new Error(`gitea ${method} ${new URL(path, this.origin).pathname}: HTTP ${res.status}`);
    return { url: new URL(path, this.origin).href, status: res.status, body: text, location: location && new URL(location, this.origin).href };
  }
}

function findForm(page: Page, matches: (form: HtmlForm) => boolean, what: string): HtmlForm {
  const form = parseForms(page.body).find(matches);
  if (!form) throw new Error(`gitea page has no ${what} (HTTP ${page.status})`);
  return { ...form, action: new URL(form.action || page.url, page.url).href };
}

/** The text of Gitea's error flash (`<div class="ui negative message flash-error">`), if the page shows one. */
function flashError(html: string): string | undefined {
  const m = /class="[^"]*flash-error[^"]*"[^>]*>([\s\S]*?)<\/div>/.exec(html);
  return m ? decodeEntities(m[1].replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim() : undefined;
}

/** The description on Gitea's "Authorization failed" page (`grant_error.tmpl`). */
function authorizeError(html: string): string | undefined {
  const m = /<h3 class="ui attached segment">([\s\S]*?)<\/h3>/.exec(html);
  return m ? decodeEntities(m[1]).trim() : undefined;
}
