// A new listing of a credential's repositories on demand (issue 11 §3). The listing itself
// (`GET .../sourcecoderepositories?credential=`) and a Pipeline for a repository (`POST .../pipelines` with
// `{repository, name?}`) are served by the resource API (api/resources). Authorised by ApiAuthGuard.
import { Controller, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Keelson, KubeClient } from '@keelson/kube';
import { ApiAuthGuard, RequiresAccess } from '../auth';
import { ApiProblems } from '../openapi/api-problems';
import { defineApiSchema } from '../openapi/api-schemas';
import { KUBE } from '../../tokens';
import { REFRESH_ANNOTATION } from '../../source-code/refresh-request';
import { SourceCodeError } from '../../source-code/source-code.errors';

const REFRESH_REQUESTED = defineApiSchema('RefreshRequested', {
  type: 'object',
  required: ['namespace', 'name', 'requested'],
  properties: {
    namespace: { type: 'string' },
    name: { type: 'string', description: 'The SourceCodeCredential.' },
    requested: { type: 'string', format: 'date-time', description: 'When the new listing was asked for.' },
  },
});

@ApiTags('Source code')
@Controller('api/v1/namespaces/:ns')
@UseGuards(ApiAuthGuard)
export class SourceCodeController {
  constructor(@Inject(KUBE) private readonly kube: KubeClient) {}

  /** Asks the credential controller to list the credential's repositories again now; 202, the listing follows. */
  @Post('sourcecodecredentials/:name/refresh')
  @ApiOperation({ summary: 'List a credential\'s repositories again', description: 'Asks the credential controller for a new listing now; the listing follows.' })
  @ApiAcceptedResponse({ description: 'Asked.', schema: REFRESH_REQUESTED })
  @ApiProblems(404)
  @HttpCode(202)
  @RequiresAccess({ verb: 'patch', resource: 'sourcecodecredentials' })
  async refresh(@Param('ns') ns: string, @Param('name') name: string): Promise<{ namespace: string; name: string; requested: string }> {
    const credentials = this.kube.resource(Keelson.SourceCodeCredential);
    if (!(await credentials.find(ns, name))) throw new SourceCodeError('CredentialNotFound', `SourceCodeCredential ${ns}/${name} not found`, { namespace: ns, name });
    const requested = new Date().toISOString();
    await credentials.patch(ns, name, { metadata: { annotations: { [REFRESH_ANNOTATION]: requested } } });
    return { namespace: ns, name, requested };
  }
}
