// GET /api/v1/namespaces/{ns}/queue (DESIGN §8): why each run of a project waits, and where the start time of the
// running ones went. Whoever may list the project's executions may read it.
import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuthGuard, RequiresAccess } from '../auth';
import { defineApiSchema } from '../openapi/api-schemas';
import { WAIT_CAUSES, type ProjectQueue } from './project-queue';
import { QueueService } from './queue.service';

const SECONDS = { type: 'number', minimum: 0 };
const TIMELINE_ENTRY = {
  type: 'object', required: ['type', 'time'],
  properties: {
    type: { type: 'string', enum: ['Created', 'Admitted', 'DataPlaneReady', 'JenkinsQueued', 'BuildStarted', 'PodScheduled', 'Running', 'Finished'] },
    time: { type: 'string', format: 'date-time' },
    message: { type: 'string' },
  },
};

const PROJECT_QUEUE = defineApiSchema('ProjectQueue', {
  type: 'object',
  required: ['namespace', 'limit', 'admitted', 'queued', 'running'],
  properties: {
    namespace: { type: 'string' },
    limit: { type: 'integer', description: 'Executions the project runs at once (PipelineSetting maxConcurrentExecutions; 3 without one).' },
    admitted: { type: 'integer', description: 'Executions holding a slot now (Provisioning or Running).' },
    queued: {
      type: 'array',
      description: 'Executions that have not started running, in the order they will start: admitted ones still starting first, then the waiting ones in admission order.',
      items: {
        type: 'object',
        required: ['name', 'pipeline', 'phase', 'position', 'cause', 'message'],
        properties: {
          name: { type: 'string' },
          pipeline: { type: 'string' },
          run: { type: 'integer' },
          phase: { type: 'string' },
          position: { type: 'integer', minimum: 1, description: '1 starts first.' },
          created: { type: 'string', format: 'date-time' },
          waitingSeconds: { type: 'integer', minimum: 0, description: 'Since it was created.' },
          cause: { type: 'string', enum: Object.keys(WAIT_CAUSES), description: Object.entries(WAIT_CAUSES).map(([k, v]) => `${k}: ${v}`).join('; ') },
          message: { type: 'string', description: 'The reason in words: the controller\'s, Jenkins\' `why`, or the scheduler\'s message.' },
          blockedBy: { type: 'array', items: { type: 'string' }, description: 'For a concurrency limit: the executions holding the slots it waits for.' },
        },
      },
    },
    running: {
      type: 'array',
      description: 'Executions running, oldest start first, with their start-latency breakdown (seconds) from the timeline.',
      items: {
        type: 'object',
        required: ['name', 'pipeline', 'startLatency', 'timeline'],
        properties: {
          name: { type: 'string' },
          pipeline: { type: 'string' },
          run: { type: 'integer' },
          startTime: { type: 'string', format: 'date-time' },
          node: { type: 'string' },
          warmNode: { type: 'boolean' },
          startLatency: {
            type: 'object',
            description: 'Each part appears once both its ends are in the timeline.',
            properties: {
              queued: { ...SECONDS, description: 'Created to Admitted: waiting for a slot.' },
              provisioning: { ...SECONDS, description: 'Admitted to JenkinsQueued: data plane, job and build inputs.' },
              jenkinsQueue: { ...SECONDS, description: 'JenkinsQueued to BuildStarted.' },
              podScheduling: { ...SECONDS, description: 'BuildStarted to PodScheduled.' },
              podStartup: { ...SECONDS, description: 'PodScheduled to Running: images, the agent, the first stage.' },
              total: { ...SECONDS, description: 'Created to Running.' },
            },
          },
          timeline: { type: 'array', items: TIMELINE_ENTRY },
        },
      },
    },
  },
});

@ApiTags('Executions')
@Controller('api/v1/namespaces/:ns/queue')
@UseGuards(ApiAuthGuard)
export class QueueController {
  constructor(private readonly queue: QueueService) {}

  @Get()
  @ApiOperation({
    summary: 'Why executions wait',
    description: 'The project\'s executions that have not started running, in the order they will start, each with why it waits (project or pipeline concurrency limit, data plane provisioning, Jenkins\' queue, the build pod unschedulable with the scheduler\'s message, ...); and the running ones with where their start time went.',
  })
  @ApiOkResponse({ description: 'The queue.', schema: PROJECT_QUEUE })
  @RequiresAccess({ verb: 'list', resource: 'pipelineexecutions' })
  get(@Param('ns') ns: string): Promise<ProjectQueue> {
    return this.queue.queue(ns);
  }
}
