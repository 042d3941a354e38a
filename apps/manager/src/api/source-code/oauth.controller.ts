// Signing in at a git provider (issue 11 §2). The authorize route is a user's, guarded like the rest of the API;
// the callback is the provider's redirect of that user's browser, which carries no bearer token: the signed,
// single-use state says who started the sign-in.
import { Controller, Get, Headers, Inject, Param, Query, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ManagerConfig } from '@keelson/config';
import { ApiAuthGuard, CurrentUser, PublicRoute, RequiresAccess, type ApiUser } from '../auth';
import { ApiProblems } from '../openapi/api-problems';
import { defineApiSchema } from '../openapi/api-schemas';
import { CONFIG } from '../../tokens';
import { OAUTH_LOGIN } from '../../source-code/source-code.tokens';
import type { CallbackQuery, OAuthLogin } from '../../source-code/oauth-login.service';
import { consoleCredentialLink } from '../../console/console-links';

const LOCATION = (what: string) => ({ Location: { description: what, required: true, schema: { type: 'string', format: 'uri' } } });

const AUTHORIZE_URL = defineApiSchema('AuthorizeUrl', {
  type: 'object', required: ['authorizeUrl'],
  properties: { authorizeUrl: { type: 'string', format: 'uri', description: 'Where to send the browser: the provider\'s authorize page, with a signed state.' } },
});

const SIGN_IN_RESULT = defineApiSchema('SignInResult', {
  type: 'object',
  description: 'The SourceCodeCredential the sign-in made or updated (its token stays in a Secret).',
  required: ['namespace', 'name', 'providerRef', 'userName', 'loginName'],
  properties: {
    namespace: { type: 'string' },
    name: { type: 'string', description: 'Name of the SourceCodeCredential.' },
    providerRef: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
    userName: { type: 'string', description: 'The Kubernetes user who signed in.' },
    loginName: { type: 'string', description: 'Their login at the provider.' },
  },
});

const wantsJson = (accept: string | undefined) => /\bapplication\/(?:[\w.+-]+\+)?json\b/i.test(accept ?? '');

@ApiTags('Source code')
@Controller('api/v1/namespaces/:ns/sourcecodeproviders')
@UseGuards(ApiAuthGuard)
export class OAuthAuthorizeController {
  constructor(@Inject(OAUTH_LOGIN) private readonly login: OAuthLogin) {}

  /** 302 to the provider's authorize URL; `Accept: application/json` gets `{authorizeUrl}` instead (a console's fetch cannot follow it). */
  @Get(':name/authorize')
  @ApiOperation({
    summary: 'Start signing in at a git provider',
    description: 'Redirects to the provider\'s authorize page (302); with Accept: application/json, answers its URL instead (a fetch cannot follow the redirect). The provider then sends the browser to /api/v1/oauth/callback.',
  })
  @ApiResponse({ status: 200, description: 'The authorize URL (Accept: application/json).', schema: AUTHORIZE_URL })
  @ApiResponse({ status: 302, description: 'To the provider\'s authorize page.', headers: LOCATION('The authorize URL.') })
  @ApiProblems(404, 409)
  @RequiresAccess({ verb: 'create', resource: 'sourcecodecredentials', nameParam: false })
  async authorize(
    @Param('ns') ns: string, @Param('name') name: string, @CurrentUser() user: ApiUser, @Headers('accept') accept: string | undefined, @Res() res: Response,
  ): Promise<void> {
    const authorizeUrl = await this.login.authorizeUrl(ns, name, user.username);
    res.setHeader('Cache-Control', 'no-store');
    if (wantsJson(accept)) res.status(200).json({ authorizeUrl });
    else res.redirect(302, authorizeUrl);
  }
}

@ApiTags('Source code')
@Controller('api/v1/oauth')
export class OAuthCallbackController {
  constructor(
    @Inject(OAUTH_LOGIN) private readonly login: OAuthLogin,
    @Inject(CONFIG) private readonly config: ManagerConfig,
  ) {}

  /** 303 to the console when CONSOLE_URL is set; else the credential as JSON (Accept: application/json) or a short page. */
  @Get('callback')
  @PublicRoute('the provider redirects the user\'s browser here, with no bearer token: the signed, single-use state says who started the sign-in')
  @ApiOperation({
    summary: 'Finish signing in at a git provider',
    description: 'Where the provider sends the browser back. Checks the state, trades the code for a token and keeps both as the user\'s SourceCodeCredential. Answers JSON (Accept: application/json), else a redirect to the console (CONSOLE_URL) or a short page.',
  })
  @ApiQuery({ name: 'state', required: true, description: 'The signed state of the authorize URL.', schema: { type: 'string' } })
  @ApiQuery({ name: 'code', required: false, description: 'The authorization code (absent when the user refused).', schema: { type: 'string' } })
  @ApiQuery({ name: 'error', required: false, description: 'The provider\'s error, e.g. access_denied.', schema: { type: 'string' } })
  @ApiQuery({ name: 'error_description', required: false, schema: { type: 'string' } })
  @ApiResponse({ status: 201, description: 'Signed in (Accept: application/json).', schema: SIGN_IN_RESULT })
  @ApiResponse({ status: 200, description: 'Signed in: a short page saying so (no CONSOLE_URL).', content: { 'text/html': { schema: { type: 'string' } } } })
  @ApiResponse({ status: 303, description: 'Signed in: to the credential in the console (CONSOLE_URL).', headers: LOCATION('The credential\'s page in the console.') })
  @ApiProblems(400, 404, 409, 503)
  async callback(@Query() query: Record<string, unknown>, @Headers('accept') accept: string | undefined, @Res() res: Response): Promise<void> {
    const text = (key: string) => (typeof query[key] === 'string' ? (query[key] as string) : undefined);
    const parsed: CallbackQuery = { code: text('code'), state: text('state'), error: text('error'), error_description: text('error_description') };
    const credential = await this.login.complete(parsed);
    const { namespace, name } = credential.metadata;
    const answer = { namespace, name, providerRef: credential.spec.providerRef, userName: credential.spec.userName, loginName: credential.spec.loginName };
    res.setHeader('Cache-Control', 'no-store');
    if (this.config.consoleUrl && !wantsJson(accept)) {
      res.redirect(303, consoleCredentialLink(this.config.consoleUrl, namespace!, name!));
    } else if (wantsJson(accept)) {
      res.status(201).json(answer);
    } else {
      res.status(200).type('html').send(page(answer.loginName, namespace!, name!));
    }
  }
}

function page(login: string, namespace: string, name: string): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html><head><meta charset="utf-8"><title>Signed in</title></head><body>`
    + `<p>Signed in as <b>${esc(login)}</b>. SourceCodeCredential <code>${esc(namespace)}/${esc(name)}</code> is saved; its repositories are being listed.</p>`
    + `<p>You can close this page.</p></body></html>`;
}
