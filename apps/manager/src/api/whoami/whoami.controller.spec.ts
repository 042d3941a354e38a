import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { loadConfig, MANAGER_VARIABLES } from '@keelson/config';
import type { AccessAttributes, AccessDecision, KubeClient, TokenReviewResult } from '@keelson/kube';
import { silentLogger } from '@keelson/observability';
import { ACCESS_REVIEW_PORT, ApiAuthModule, type AccessReviewPort } from '../auth';
import { WhoAmIController } from './whoami.controller';

/** alice's token is `tok-alice`; RBAC refuses everything, which whoami never asks about. */
class Reviews implements AccessReviewPort {
  readonly asked: AccessAttributes[] = [];

  async reviewToken(token: string): Promise<TokenReviewResult> {
    if (token !== 'tok-alice') return { authenticated: false, user: undefined } as unknown as TokenReviewResult;
    return { authenticated: true, user: { username: 'alice', uid: 'u-1', groups: ['release-managers', 'system:authenticated'], extra: { scopes: ['secret-scope'] } } } as TokenReviewResult;
  }

  async checkAccess(attrs: AccessAttributes): Promise<AccessDecision> {
    this.asked.push(attrs);
    return { allowed: false, reason: '' };
  }
}

describe('WhoAmIController', () => {
  let app: INestApplication;
  let url: string;
  let reviews: Reviews;

  beforeEach(async () => {
    reviews = new Reviews();
    const moduleRef = await Test.createTestingModule({
      imports: [ApiAuthModule.forRoot({ config: loadConfig(MANAGER_VARIABLES, {}), kube: {} as KubeClient, logger: silentLogger })],
      controllers: [WhoAmIController],
    }).overrideProvider(ACCESS_REVIEW_PORT).useValue(reviews).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });
  afterEach(() => app.close());

  it('answers the name and groups the token review gave, and nothing else (no token, no uid, no extra)', async () => {
    const res = await fetch(`${url}/api/v1/whoami`, { headers: { authorization: 'Bearer tok-alice' } });
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(JSON.parse(body)).toEqual({ username: 'alice', groups: ['release-managers', 'system:authenticated'] });
    expect(body).not.toContain('tok-alice');
    expect(reviews.asked).toEqual([]);
  });

  it('answers 401 without a token, or with one the cluster does not accept', async () => {
    expect((await fetch(`${url}/api/v1/whoami`)).status).toBe(401);
    expect((await fetch(`${url}/api/v1/whoami`, { headers: { authorization: 'Bearer tok-mallory' } })).status).toBe(401);
  });
});
