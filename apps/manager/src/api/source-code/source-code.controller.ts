// Repositories a user's credentials can push to, a new listing on demand, and a Pipeline for one of them
// (issue 11 §3, §4). Authorised per route with a SubjectAccessReview by ApiAuthGuard.
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Pipeline } from '@keelson/crds';
import { Keelson, KubeClient } from '@keelson/kube';
import { ApiAuthGuard, CurrentUser, RequiresAccess, type ApiUser } from '../auth';
import { ApiProblems } from '../openapi/api-problems';
import { defineApiSchema, resourceListSchema, resourceSchema } from '../openapi/api-schemas';
import { KUBE } from '../../tokens';
import { createPipelineFromRepository, parsePipelineRequest } from '../../source-code/pipeline-from-repository';
import { REFRESH_ANNOTATION } from '../../source-code/refresh-request';
import { SourceCodeError } from '../../source-code/source-code.errors';
import { CREDENTIAL_LABEL } from '../../source-code/token-secret';

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

const PIPELINE_REQUEST = defineApiSchema('PipelineFromRepository', {
  type: 'object',
  description: 'A Pipeline for one of your listed repositories; it clones with the credential that listed it.',
  required: ['repository'],
  properties: {
    repository: { type: 'string', maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', description: 'Name of a SourceCodeRepository of this namespace.' },
    name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$', description: 'Name of the Pipeline; default from the repository\'s full name.' },
  },
  additionalProperties: false,
});

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

  /** `?credential=` keeps one credential's listing; `limit` and `continue` page as the apiserver does. */
  @Get('sourcecoderepositories')
  @ApiOperation({ summary: 'List repositories your credentials can see', description: 'SourceCodeRepository objects of the namespace, paged as the apiserver pages them.' })
  @ApiQuery({ name: 'credential', required: false, description: 'Only those listed with this SourceCodeCredential.', schema: { type: 'string', maxLength: 253 } })
  @ApiQuery({ name: 'limit', required: false, description: 'Page size.', schema: { type: 'integer', minimum: 1, maximum: 1000 } })
  @ApiQuery({ name: 'continue', required: false, description: 'The metadata.continue of the previous page.', schema: { type: 'string' } })
  @ApiOkResponse({ description: 'A page of repositories.', schema: resourceListSchema('SourceCodeRepository') })
  @ApiProblems(400)
  @RequiresAccess({ verb: 'list', resource: 'sourcecoderepositories' })
  async repositories(@Param('ns') ns: string, @Query() query: Record<string, unknown>): Promise<unknown> {
    const credential = typeof query.credential === 'string' ? query.credential : undefined;
    if (credential !== undefined && !NAME.test(credential)) throw new SourceCodeError('InvalidRequest', 'credential: expected the name of a SourceCodeCredential');
    const limit = typeof query.limit === 'string' ? Number(query.limit) : undefined;
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0 && limit <= 1000)) throw new SourceCodeError('InvalidRequest', 'limit: expected a whole number from 1 to 1000');
    const list = await this.kube.resource(Keelson.SourceCodeRepository).list(ns, {
      ...(credential && { labelSelector: `${CREDENTIAL_LABEL}=${credential}` }),
      ...(limit && { limit }),
      ...(typeof query.continue === 'string' && query.continue && { continue: query.continue }),
    });
    return { apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'SourceCodeRepositoryList', metadata: list.metadata, items: list.items };
  }

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

  /** `{repository, name?}` → 201 and the Pipeline, which clones with the repository's credential. */
  @Post('pipelines')
  @ApiOperation({ summary: 'Make a Pipeline for a repository', description: 'Only the user whose credential listed the repository may.' })
  @ApiBody({ schema: PIPELINE_REQUEST })
  @ApiCreatedResponse({ description: 'The Pipeline made.', schema: resourceSchema('Pipeline') })
  @ApiProblems(404, 409, 422)
  @RequiresAccess({ verb: 'create', resource: 'pipelines' })
  create(@Param('ns') ns: string, @Body() body: unknown, @CurrentUser() user: ApiUser): Promise<Pipeline> {
    return createPipelineFromRepository(this.kube, ns, parsePipelineRequest(body), user.username);
  }
}
