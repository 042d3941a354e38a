// The console's sign-in (issue 14 §4). Public by nature: whoever calls has no token yet. `config` says whether OIDC
// is on; `oidc/login` and `oidc/callback` are browser navigations of the authorization code flow, whose end is the
// console's /login with the ID token in the URL fragment (never sent to a server, so never in an access log).
import { Controller, Get, Headers, Inject, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { PublicRoute } from '../auth';
import { ApiProblems } from '../openapi/api-problems';
import { defineApiSchema } from '../openapi/api-schemas';
import { OIDC_SIGN_IN } from '../../oidc/oidc.tokens';
import type { OidcSignIn } from '../../oidc/oidc-sign-in.service';
import { OidcError } from '../../oidc/oidc.errors';
import { bindingCookieOf, bindingCookieHeader, clearedBindingCookieHeader } from '../../oidc/binding-cookie';

const LOGIN_PAGE = '/login';

const AUTH_CONFIG = defineApiSchema('AuthConfig', {
  type: 'object', required: ['oidc'],
  description: 'How the console may sign in; a bearer token always works.',
  properties: {
    oidc: {
      type: 'object', required: ['enabled'],
      properties: {
        enabled: { type: 'boolean', description: 'Whether OIDC sign-in is configured (OIDC_ISSUER_URL, OIDC_CLIENT_ID).' },
        issuer: { type: 'string', format: 'uri', description: 'The issuer, when enabled: the console names its host on the sign-in button.' },
      },
    },
  },
});

const LOCATION = (what: string) => ({ Location: { description: what, required: true, schema: { type: 'string' } } });

/** `/login#error=<code>&error_description=<message>`: the console shows the message on its login page. */
function loginWithError(err: OidcError): string {
  return `${LOGIN_PAGE}#${new URLSearchParams({ error: err.code, error_description: err.message })}`;
}

@ApiTags('Sign-in')
@Controller('api/v1/auth')
export class SignInController {
  constructor(@Inject(OIDC_SIGN_IN) private readonly signIn: OidcSignIn) {}

  @Get('config')
  @PublicRoute('the console asks how to sign in before it has a token; the answer holds no secret')
  @ApiOperation({ summary: 'How the console signs in', description: 'Whether OIDC sign-in is configured, and its issuer. Never the client id\'s secret.' })
  @ApiResponse({ status: 200, description: 'The sign-in methods.', schema: AUTH_CONFIG })
  config(@Res({ passthrough: true }) res: Response): unknown {
    res.setHeader('Cache-Control', 'no-store');
    return this.signIn.publicConfig();
  }

  @Get('oidc/login')
  @PublicRoute('the browser starts signing in here, before it has a token; it is only sent on to the issuer')
  @ApiOperation({
    summary: 'Start the console\'s OIDC sign-in',
    description: 'Redirects the browser to the issuer\'s authorization endpoint (code flow, PKCE S256, a sealed state and a nonce) and sets an HttpOnly cookie binding the sign-in to this browser. A `next` that is not a path of the console, or an issuer that cannot be reached, sends the browser to /login#error=<code>&error_description=<message>.',
  })
  @ApiQuery({ name: 'next', required: false, description: 'Path of the console to open after sign-in (same origin only: /p/demo/pipelines).', schema: { type: 'string' } })
  @ApiResponse({
    status: 302, description: 'To the issuer\'s authorization endpoint, or to /login#error=... when the sign-in cannot start.',
    headers: { ...LOCATION('The authorization URL, or the console\'s login page with the error in its fragment.'), 'Set-Cookie': { description: 'The HttpOnly, SameSite=Lax binding cookie, scoped to /api/v1/auth/oidc.', required: false, schema: { type: 'string' } } },
  })
  @ApiProblems(404)
  async login(@Query('next') next: unknown, @Res() res: Response): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    try {
      const start = await this.signIn.start(typeof next === 'string' ? next : undefined);
      res.setHeader('Set-Cookie', bindingCookieHeader(start.binding, this.signIn.secureCookie()));
      res.redirect(302, start.location);
    } catch (err) {
      this.answerError(err, res);
    }
  }

  @Get('oidc/callback')
  @PublicRoute('the issuer redirects the user\'s browser here, with no bearer token: the sealed, single-use state bound to the browser\'s cookie says who started it')
  @ApiOperation({
    summary: 'Finish the console\'s OIDC sign-in',
    description: 'Where the issuer sends the browser back. Checks the state against the binding cookie, trades the code (with the PKCE verifier) for tokens, verifies the ID token (JWKS signature, iss, aud, exp, nonce), and redirects to /login#id_token=<token>&next=<path>; on any failure to /login#error=<code>&error_description=<message>.',
  })
  @ApiQuery({ name: 'state', required: false, description: 'The sealed state of the authorization request.', schema: { type: 'string' } })
  @ApiQuery({ name: 'code', required: false, description: 'The authorization code (absent when the issuer answers an error).', schema: { type: 'string' } })
  @ApiQuery({ name: 'error', required: false, description: 'The issuer\'s error, e.g. access_denied.', schema: { type: 'string' } })
  @ApiQuery({ name: 'error_description', required: false, schema: { type: 'string' } })
  @ApiResponse({ status: 302, description: 'To the console\'s /login, the ID token or the error in the URL fragment.', headers: LOCATION('/login#id_token=...&next=... or /login#error=...') })
  @ApiProblems(404)
  async callback(@Query() query: Record<string, unknown>, @Headers('cookie') cookie: string | undefined, @Res() res: Response): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    // The fragment carries a token: no page may leak it onward in a Referer.
    res.setHeader('Referrer-Policy', 'no-referrer');
    const text = (key: string) => (typeof query[key] === 'string' ? (query[key] as string) : undefined);
    try {
      const done = await this.signIn.complete({ code: text('code'), state: text('state'), error: text('error'), error_description: text('error_description') }, bindingCookieOf(cookie));
      res.setHeader('Set-Cookie', clearedBindingCookieHeader(this.signIn.secureCookie()));
      res.redirect(302, `${LOGIN_PAGE}#${new URLSearchParams({ id_token: done.idToken, next: done.next })}`);
    } catch (err) {
      if (err instanceof OidcError && err.code !== 'OidcNotConfigured') res.setHeader('Set-Cookie', clearedBindingCookieHeader(this.signIn.secureCookie()));
      this.answerError(err, res);
    }
  }

  /** A sign-in that is not configured is an API answer (404); any other failure goes back to the login page. */
  private answerError(err: unknown, res: Response): void {
    if (!(err instanceof OidcError) || err.code === 'OidcNotConfigured') throw err;
    res.redirect(302, loginWithError(err));
  }
}
