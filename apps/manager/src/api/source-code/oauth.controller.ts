// Signing in at a git provider (issue 11 §2). The authorize route is a user's, guarded like the rest of the API;
// the callback is the provider's redirect of that user's browser, which carries no bearer token: the signed,
// single-use state says who started the sign-in.
import { Controller, Get, Headers, Inject, Param, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { ManagerConfig } from '@keelson/config';
import { ApiAuthGuard, CurrentUser, RequiresAccess, type ApiUser } from '../auth';
import { CONFIG } from '../../tokens';
import { OAUTH_LOGIN } from '../../source-code/source-code.tokens';
import type { CallbackQuery, OAuthLogin } from '../../source-code/oauth-login.service';

const wantsJson = (accept: string | undefined) => /\bapplication\/(?:[\w.+-]+\+)?json\b/i.test(accept ?? '');

@Controller('api/v1/namespaces/:ns/sourcecodeproviders')
@UseGuards(ApiAuthGuard)
export class OAuthAuthorizeController {
  constructor(@Inject(OAUTH_LOGIN) private readonly login: OAuthLogin) {}

  /** 302 to the provider's authorize URL; `Accept: application/json` gets `{authorizeUrl}` instead (a console's fetch cannot follow it). */
  @Get(':name/authorize')
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

@Controller('api/v1/oauth')
export class OAuthCallbackController {
  constructor(
    @Inject(OAUTH_LOGIN) private readonly login: OAuthLogin,
    @Inject(CONFIG) private readonly config: ManagerConfig,
  ) {}

  /** 303 to the console when CONSOLE_URL is set; else the credential as JSON (Accept: application/json) or a short page. */
  @Get('callback')
  async callback(@Query() query: Record<string, unknown>, @Headers('accept') accept: string | undefined, @Res() res: Response): Promise<void> {
    const text = (key: string) => (typeof query[key] === 'string' ? (query[key] as string) : undefined);
    const parsed: CallbackQuery = { code: text('code'), state: text('state'), error: text('error'), error_description: text('error_description') };
    const credential = await this.login.complete(parsed);
    const { namespace, name } = credential.metadata;
    const answer = { namespace, name, providerRef: credential.spec.providerRef, userName: credential.spec.userName, loginName: credential.spec.loginName };
    res.setHeader('Cache-Control', 'no-store');
    if (this.config.consoleUrl && !wantsJson(accept)) {
      res.redirect(303, `${this.config.consoleUrl}/#/namespaces/${encodeURIComponent(namespace!)}/sourcecodecredentials/${encodeURIComponent(name!)}`);
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
