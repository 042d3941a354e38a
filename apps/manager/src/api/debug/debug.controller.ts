// GET /api/v1/debug/report and POST /api/v1/debug/heap-snapshot: what an operator needs when the manager hangs or
// grows, without a shell in its read-only, distroless-like container. Each is a non-resource URL in RBAC, so only
// cluster admins (nonResourceURLs "*") or whoever the operator grants it may call them; the heap snapshot holds
// every value in memory, secrets included, and so has a path of its own, granted apart from the report.
import { Controller, Get, HttpCode, Post, Res, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { getHeapSnapshot } from 'node:v8';
import { pipeline } from 'node:stream/promises';
import { ApiAuthGuard, RequiresAccess } from '../auth';
import { defineApiSchema } from '../openapi/api-schemas';
import { diagnosticReport, type DiagnosticReport } from './diagnostic-report';

/** The non-resource URLs RBAC grants: `nonResourceURLs: ["/debug/keelson/*"]` grants both. */
export const DEBUG_REPORT_URL = '/debug/keelson/report';
export const DEBUG_HEAP_URL = '/debug/keelson/heap-snapshot';

const REPORT = defineApiSchema('DiagnosticReport', {
  type: 'object',
  description: 'Node\'s diagnostic report (https://nodejs.org/api/report.html) of the answering replica, without `environmentVariables` and with `header.commandLine` withheld.',
  required: ['header', 'javascriptStack', 'nativeStack', 'javascriptHeap', 'resourceUsage'],
  properties: {
    header: { type: 'object' },
    javascriptStack: { type: 'object' },
    nativeStack: { type: 'array', items: { type: 'object' } },
    javascriptHeap: { type: 'object' },
    resourceUsage: { type: 'object' },
    libuv: { type: 'array', items: { type: 'object' } },
  },
});

@ApiTags('Operations')
@Controller('api/v1/debug')
@UseGuards(ApiAuthGuard)
export class DebugController {
  @Get('report')
  @ApiOperation({
    summary: 'Diagnostic report of this replica',
    description: `Stacks (JavaScript and native), heap, resource usage and libuv handles of the replica that answers, from process.report; the environment is left out. RBAC: \`get\` on the non-resource URL \`${DEBUG_REPORT_URL}\`.`,
  })
  @ApiOkResponse({ description: 'The report.', schema: REPORT })
  @RequiresAccess({ verb: 'get', nonResourcePath: DEBUG_REPORT_URL })
  report(): DiagnosticReport {
    return diagnosticReport();
  }

  @Post('heap-snapshot')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Heap snapshot of this replica',
    description: `A V8 heap snapshot of the replica that answers, streamed (open it in Chrome DevTools' Memory tab). It holds every value in the heap, secrets included: treat the file like a Secret. Taking it pauses the replica for a while (seconds per hundred MB of heap). RBAC: \`post\` on the non-resource URL \`${DEBUG_HEAP_URL}\`.`,
  })
  @ApiResponse({
    status: 200, description: 'The snapshot (V8\'s .heapsnapshot JSON, sent as a download).',
    headers: { 'Content-Disposition': { description: '`attachment; filename="keelson-<pid>-<time>.heapsnapshot"`.', required: true, schema: { type: 'string' } } },
    content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
  })
  @RequiresAccess({ verb: 'post', nonResourcePath: DEBUG_HEAP_URL })
  async heapSnapshot(@Res() res: Response): Promise<void> {
    const name = `keelson-${process.pid}-${new Date().toISOString().replace(/[:.]/g, '-')}.heapsnapshot`;
    res.status(200).setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
    res.setHeader('Cache-Control', 'no-store');
    await pipeline(getHeapSnapshot(), res);
  }
}
