// GET /api/v1/whoami: who the API takes the caller to be (`kubectl auth whoami` for the console's "mine" and
// "waiting for me"). The name and groups the apiserver's TokenReview gave, nothing else: no token, no extra.
import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuthGuard, CurrentUser, RequiresAccess, type ApiUser } from '../auth';
import { defineApiSchema } from '../openapi/api-schemas';

export interface WhoAmI {
  username: string;
  groups: string[];
}

const WHO_AM_I = defineApiSchema('WhoAmI', {
  type: 'object', required: ['username', 'groups'],
  properties: {
    username: { type: 'string', description: 'Your user name, as the cluster authenticated your token.' },
    groups: { type: 'array', items: { type: 'string' }, description: 'Your groups, as the cluster authenticated your token.' },
  },
});

@ApiTags('Projects')
@Controller('api/v1/whoami')
@UseGuards(ApiAuthGuard)
export class WhoAmIController {
  @Get()
  @ApiOperation({ summary: 'Who you are', description: 'Your user name and groups as the cluster authenticated your token (what approvals and "my runs" match against).' })
  @ApiOkResponse({ description: 'You.', schema: WHO_AM_I })
  // Anyone with a valid token may ask who they are, as a SelfSubjectReview allows (kubectl auth whoami).
  @RequiresAccess({ verb: 'create', resource: 'selfsubjectreviews', group: 'authentication.k8s.io', authenticateOnly: true })
  whoami(@CurrentUser() user: ApiUser): WhoAmI {
    return { username: user.username, groups: [...user.groups] };
  }
}
