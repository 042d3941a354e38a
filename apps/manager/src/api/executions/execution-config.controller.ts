// GET …/pipelineexecutions/{name}/config: the pipeline file a run read, at its commit, with its errors and warnings
// on their lines (the console's config page). Authorised as reading the execution: the file is what the run ran.
import { Controller, Get, Inject, Param, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuthGuard, RequiresAccess } from '../auth';
import { MAX_CONFIG_TEXT_BYTES, type ExecutionConfigReader, type ExecutionConfigText } from '../../executions/execution-config.reader';
import { EXECUTION_CONFIG_READER } from '../../pipelines/pipelines.tokens';
import { ApiProblems } from '../openapi/api-problems';
import { defineApiSchema } from '../openapi/api-schemas';

const MESSAGE = {
  type: 'object', required: ['line', 'column', 'message'],
  properties: {
    line: { type: 'integer', minimum: 1, description: 'Line, from 1.' },
    column: { type: 'integer', minimum: 1, description: 'Column, from 1.' },
    message: { type: 'string' },
  },
};
const EXECUTION_CONFIG = defineApiSchema('ExecutionConfig', {
  type: 'object', required: ['path', 'commit', 'text', 'warnings', 'errors'],
  properties: {
    path: { type: 'string', description: 'The file\'s path in the repository (.devops.yml, or the Rancher file the run read).' },
    commit: { type: 'string', description: 'The commit it was read at: the run\'s.' },
    text: { type: 'string', description: `The file as stored at that commit (at most ${MAX_CONFIG_TEXT_BYTES} bytes).` },
    warnings: { type: 'array', items: MESSAGE, description: 'What runs but deserves a look (the run\'s status.configWarnings when it has them).' },
    errors: { type: 'array', items: MESSAGE, description: 'Why the file does not compile; empty when it does.' },
  },
});

@ApiTags('Executions')
@Controller('api/v1/namespaces/:ns/pipelineexecutions/:name/config')
@UseGuards(ApiAuthGuard)
export class ExecutionConfigController {
  constructor(@Inject(EXECUTION_CONFIG_READER) private readonly reader: ExecutionConfigReader) {}

  @Get()
  @ApiOperation({
    summary: 'Read the pipeline file of an execution',
    description: 'The pipeline file the execution read (.devops.yml or a Rancher file), read again from its repository at the execution\'s commit with the pipeline\'s credential, with its compile errors and warnings by line and column.',
  })
  @ApiOkResponse({ description: 'The file at the execution\'s commit.', schema: EXECUTION_CONFIG })
  @ApiProblems(404, 422, 502)
  @RequiresAccess({ verb: 'get', resource: 'pipelineexecutions' })
  read(@Param('ns') ns: string, @Param('name') name: string): Promise<ExecutionConfigText> {
    return this.reader.read(ns, name);
  }
}
