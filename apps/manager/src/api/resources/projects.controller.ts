// GET /api/v1/projects: the projects (namespaces holding Pipelines or a PipelineSetting) the caller may list
// Pipelines in, each with its number of pipelines and of running and queued executions, from the informers.
// Execution counts need the right to list executions there; without it they are null.
import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { defineApiSchema } from '../openapi/api-schemas';
import { ApiAuthGuard, ApiAuthService, RequiresAccess } from '../auth';
import { CallerAccess } from './caller-access';
import { phaseOf } from './list-filters';
import { ResourceCache } from './resource-cache.service';
import { EXECUTIONS, PIPELINES, SETTINGS } from './resource-kinds';

/** Phases counted as running (a build or its data plane on the way) and as queued (waiting to be admitted). */
export const RUNNING_PHASES = ['Provisioning', 'Running'];
export const QUEUED_PHASES = ['Pending', 'Queued'];

export interface ProjectSummary {
  name: string;
  pipelines: number;
  running: number | null;
  queued: number | null;
}

const COUNT = { type: ['integer', 'null'], minimum: 0, description: 'null when you may not list executions there.' };
const PROJECT_LIST = defineApiSchema('ProjectList', {
  type: 'object',
  required: ['kind', 'items'],
  properties: {
    kind: { type: 'string', const: 'ProjectList' },
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'pipelines', 'running', 'queued'],
        properties: {
          name: { type: 'string', description: 'The namespace.' },
          pipelines: { type: 'integer', minimum: 0 },
          running: { ...COUNT, description: `Executions ${RUNNING_PHASES.join(' or ')}; null when you may not list executions there.` },
          queued: { ...COUNT, description: `Executions ${QUEUED_PHASES.join(' or ')}; null when you may not list executions there.` },
        },
      },
    },
  },
});

@ApiTags('Projects')
@Controller('api/v1/projects')
@UseGuards(ApiAuthGuard)
export class ProjectsController {
  constructor(private readonly cache: ResourceCache, private readonly auth: ApiAuthService) {}

  @Get()
  @ApiOperation({ summary: 'List your projects', description: 'Namespaces holding Pipelines or a PipelineSetting that you may list Pipelines in, with their counts of pipelines and of running and queued executions.' })
  @ApiOkResponse({ description: 'The projects, by name.', schema: PROJECT_LIST })
  @RequiresAccess({ verb: 'list', resource: PIPELINES.plural, authenticateOnly: true })
  async list(@Req() req: Request): Promise<{ kind: 'ProjectList'; items: ProjectSummary[] }> {
    const access = new CallerAccess(this.auth, req.headers.authorization);
    const pipelines = new Map<string, number>();
    for (const p of this.cache.informerOf(PIPELINES)?.list() ?? []) {
      const ns = p.metadata.namespace ?? '';
      pipelines.set(ns, (pipelines.get(ns) ?? 0) + 1);
    }
    const projects = [...new Set([...pipelines.keys(), ...this.cache.namespacesOf(SETTINGS)])].sort();
    const visible = await access.namespaces('list', PIPELINES.plural, projects);
    const names = visible.all ? projects : visible.allowed;
    // Projects the caller cannot see are not named: their existence is not the caller's to know.
    const executions = await access.namespaces('list', EXECUTIONS.plural, names);
    const counted = new Set(executions.all ? names : executions.allowed);
    const items = names.map((name) => {
      if (!counted.has(name)) return { name, pipelines: pipelines.get(name) ?? 0, running: null, queued: null };
      let running = 0;
      let queued = 0;
      for (const exe of this.cache.executions.inNamespace(name)) {
        const phase = phaseOf(exe);
        if (RUNNING_PHASES.includes(phase)) running++;
        else if (QUEUED_PHASES.includes(phase)) queued++;
      }
      return { name, pipelines: pipelines.get(name) ?? 0, running, queued };
    });
    return { kind: 'ProjectList', items };
  }
}
