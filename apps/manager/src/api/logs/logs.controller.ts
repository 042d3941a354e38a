// Step logs over REST (DESIGN §8, issue 12 §2): the text of a step or of the whole run, followed live as
// Server-Sent Events, its line index, and a search that answers line numbers only. Live and sealed logs answer
// through the same routes. Authorised as `get pipelineexecutions/logs` on the execution.
import { applyDecorators, Controller, Get, Headers, Inject, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../openapi/api-problems';
import { defineApiSchema } from '../openapi/api-schemas';
import { compileSearch, searchLog, type SearchMatch } from '@keelson/logs';
import { ApiAuthGuard, RequiresAccess } from '../auth';
import { ApiProblem } from '../problem/api-problem';
import { ExecutionLogsReader, logProblem, type Execution, type StepOfRun } from './execution-logs.reader';
import { flag, invalid, lastEventId, readWindow, searchRequest, stepSelector } from './log-request';
import { followStepLog } from './log-response-sink';
import { StepLogFollows } from './step-log-follows';
import { alignToLine, pipeBytes } from './log-text';

const SEARCH_BUDGET_MS = 5_000;
const ACCESS = { verb: 'get', resource: 'pipelineexecutions', subresource: 'logs' } as const;

const STEP_QUERIES = applyDecorators(
  ApiQuery({ name: 'stage', required: false, description: 'Stage index (from 0); with step.', schema: { type: 'integer', minimum: 0, maximum: 255 } }),
  ApiQuery({ name: 'step', required: false, description: 'Step index in the stage (from 0); with stage.', schema: { type: 'integer', minimum: 0, maximum: 255 } }),
);
const LOG_HEADERS = {
  'X-Log-Size': { description: 'Bytes stored so far (of the step, or of every step for the whole run).', required: true, schema: { type: 'string' } },
  'X-Log-Complete': { description: '`true` once the log is sealed with nothing missing.', required: true, schema: { type: 'string', enum: ['true', 'false'] } },
};
const TEXT = { 'text/plain': { schema: { type: 'string' } }, 'text/event-stream': { schema: { type: 'string' } } };

const LOG_INDEX = defineApiSchema('LogLineIndex', {
  type: 'object', required: ['every', 'lines', 'size', 'complete', 'offsets', 'times'],
  properties: {
    every: { type: 'integer', description: 'Lines between entries (1000).' },
    lines: { type: 'integer', description: 'Lines stored so far.' },
    size: { type: 'integer', description: 'Bytes stored so far.' },
    complete: { type: 'boolean', description: 'The log is sealed with nothing missing.' },
    offsets: { type: 'array', items: { type: 'integer' }, description: 'offsets[k]: byte offset where line 1 + k·every starts.' },
    times: {
      type: 'array',
      items: { type: 'array', items: { type: 'integer' }, minItems: 2, maxItems: 2 },
      description: 'When the lines were stored: `[line, epochMs]` marks, ascending by line; a line\'s time is that of the last mark at or '
        + 'before it (the write time of the chunk it starts in, at most one mark per second). Empty for a log sealed before times were kept. docs/logs.md.',
    },
  },
});
const LOG_SEARCH = defineApiSchema('LogSearchResult', {
  type: 'object', required: ['matches', 'truncated', 'timedOut'],
  properties: {
    matches: {
      type: 'array',
      items: {
        type: 'object', required: ['stage', 'step', 'line', 'offset'],
        properties: { stage: { type: 'integer' }, step: { type: 'integer' }, line: { type: 'integer', description: 'From 1.' }, offset: { type: 'integer', description: 'Byte offset of the line.' } },
      },
    },
    truncated: { type: 'boolean', description: 'Stopped at `limit` matches.' },
    timedOut: { type: 'boolean', description: 'The 5-second budget ran out before the end: later lines were not searched.' },
  },
});

@ApiTags('Executions')
@Controller('api/v1/namespaces/:ns/pipelineexecutions/:name/logs')
@UseGuards(ApiAuthGuard)
export class LogsController {
  constructor(
    @Inject(ExecutionLogsReader) private readonly reader: ExecutionLogsReader,
    @Inject(StepLogFollows) private readonly follows: StepLogFollows,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Read or follow an execution\'s logs',
    description: 'A step\'s log as text (live or sealed alike), or the whole run with a header per step. With `Accept: text/event-stream` it follows the step live: each event\'s data is a JSON string of whole lines and its id the byte offset after them (Last-Event-ID resumes there), a `: keep-alive` comment every 15 s, `event: end` once sealed. docs/logs.md.',
  })
  @STEP_QUERIES
  @ApiQuery({ name: 'offset', required: false, description: 'Start at this byte (a step only).', schema: { type: 'integer', minimum: 0 } })
  @ApiQuery({ name: 'tail', required: false, description: 'The last BYTES, opened at the start of a line (a step only).', schema: { type: 'integer', minimum: 0 } })
  @ApiQuery({ name: 'download', required: false, description: '1: as an attachment.', schema: { type: 'string', enum: ['1', 'true', '0', 'false'] } })
  @ApiHeader({ name: 'Range', required: false, description: 'One byte range (`bytes=a-b`, `bytes=a-`, `bytes=-n`) of a step\'s log.' })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Following: the id (byte offset) of the last event received.' })
  @ApiResponse({ status: 200, description: 'The log (or its event stream).', headers: LOG_HEADERS, content: TEXT })
  @ApiResponse({ status: 206, description: 'The byte range asked for.', headers: { ...LOG_HEADERS, 'Content-Range': { description: '`bytes a-b/size`.', required: true, schema: { type: 'string' } } }, content: { 'text/plain': { schema: { type: 'string' } } } })
  @ApiProblems(400, 404, 416)
  @RequiresAccess(ACCESS)
  async logs(
    @Param('ns') ns: string, @Param('name') name: string, @Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response,
    @Headers('range') range: string | undefined, @Headers('last-event-id') lastEvent: string | undefined,
  ): Promise<void> {
    const selector = stepSelector(query);
    const sse = (req.headers.accept ?? '').includes('text/event-stream');
    const window = readWindow(query, sse ? undefined : range);
    const download = flag(query, 'download');
    const exe = await this.reader.execution(ns, name);
    if (!selector) {
      if (sse) throw invalid('step', 'stage and step are required to follow a log');
      if (window.kind === 'offset' || window.kind === 'tail') throw invalid(window.kind, 'needs stage and step');
      return this.wholeRun(exe, res, download);
    }
    const step = this.reader.step(exe, selector);
    const store = await this.reader.store(exe);
    try {
      const view = await store.view(step.ref);
      if (sse) {
        const resume = lastEventId(lastEvent);
        const start = resume ?? (window.kind === 'offset' ? window.offset
          : window.kind === 'tail' ? await alignToLine(store, step.ref, Math.max(0, view.size - window.bytes), view.size) : 0);
        await followStepLog(res, store, this.follows.events, step.ref, start, this.follows.options({ exe, step, store }));
        return;
      }
      const size = view.size;
      let start = 0;
      let end = size;
      let partialContent = false;
      if (window.kind === 'offset') {
        if (window.offset > size) throw unsatisfiable(size, `offset ${window.offset} is past the end (${size} bytes stored)`);
        start = window.offset;
      } else if (window.kind === 'tail') {
        start = await alignToLine(store, step.ref, Math.max(0, size - window.bytes), size);
      } else if (window.kind === 'range') {
        if (window.first >= size) throw unsatisfiable(size, `Range starts at ${window.first}, past the end (${size} bytes stored)`);
        start = window.first;
        end = Math.min(size, (window.last ?? size - 1) + 1);
        partialContent = true;
      } else if (window.kind === 'suffix') {
        start = Math.max(0, size - window.bytes);
        partialContent = true;
      }
      res.status(partialContent ? 206 : 200);
      this.textHeaders(res, size, view.sealed, download ? `${exe.metadata.name}-${step.ref.stage}-${step.ref.step}.log` : undefined);
      res.setHeader('Accept-Ranges', 'bytes');
      res.setHeader('X-Log-Offset', String(start));
      res.setHeader('Content-Length', String(end - start));
      if (partialContent) res.setHeader('Content-Range', `bytes ${start}-${end - 1}/${size}`);
      if (end === start) {
        res.end();
        return;
      }
      await this.stream(res, store.read(step.ref, start, end));
    } catch (err) {
      if (res.headersSent) return void res.destroy();
      logProblem(err);
    }
  }

  /** `{every, lines, size, complete, offsets, times}`: offsets[k] is where line 1 + k·every starts; times say when lines were stored. */
  @Get('index')
  @ApiOperation({ summary: 'Line index of a step\'s log', description: 'Where every 1000th line starts, so a line is one ranged read away, and when the lines were stored.' })
  @STEP_QUERIES
  @ApiResponse({ status: 200, description: 'The index.', schema: LOG_INDEX })
  @ApiProblems(400, 404)
  @RequiresAccess(ACCESS)
  async index(@Param('ns') ns: string, @Param('name') name: string, @Query() query: Record<string, unknown>): Promise<unknown> {
    const selector = stepSelector(query);
    if (!selector) throw invalid('step', 'stage and step are required');
    const exe = await this.reader.execution(ns, name);
    const step = this.reader.step(exe, selector);
    const store = await this.reader.store(exe);
    try {
      const sealed = await store.sealed(step.ref);
      const index = await store.lineIndex(step.ref);
      return {
        every: index.every, lines: index.lines, size: index.size, complete: Boolean(sealed && !sealed.partial), offsets: index.offsets,
        times: index.times.map((m) => [m.line, m.time]),
      };
    } catch (err) {
      return logProblem(err);
    }
  }

  /** Numbers (1-based) and byte offsets of matching lines: the log itself is not sent. */
  @Get('search')
  @ApiOperation({ summary: 'Search an execution\'s logs', description: 'Numbers and offsets of the lines that match, in a step or in every step; the log itself is not sent.' })
  @STEP_QUERIES
  @ApiQuery({ name: 'q', required: false, description: 'A literal to look for (or regex).', schema: { type: 'string', maxLength: 512 } })
  @ApiQuery({ name: 'regex', required: false, description: 'A JavaScript regular expression (or q).', schema: { type: 'string', maxLength: 512 } })
  @ApiQuery({ name: 'ignoreCase', required: false, description: '1: case-insensitive.', schema: { type: 'string', enum: ['1', 'true', '0', 'false'] } })
  @ApiQuery({ name: 'limit', required: false, description: 'At most this many matches (default 1000).', schema: { type: 'integer', minimum: 0, maximum: 10000 } })
  @ApiResponse({ status: 200, description: 'The matching lines.', schema: LOG_SEARCH })
  @ApiProblems(400, 404)
  @RequiresAccess(ACCESS)
  async search(@Param('ns') ns: string, @Param('name') name: string, @Query() query: Record<string, unknown>): Promise<unknown> {
    const request = searchRequest(query);
    try {
      compileSearch(request); // a bad pattern is refused before anything is read
    } catch (err) {
      logProblem(err);
    }
    const selector = stepSelector(query);
    const exe = await this.reader.execution(ns, name);
    const steps = selector ? [this.reader.step(exe, selector)] : this.reader.steps(exe).filter(hasLog);
    const store = await this.reader.store(exe);
    const deadline = Date.now() + SEARCH_BUDGET_MS;
    const matches: Array<SearchMatch & { stage: number; step: number }> = [];
    let truncated = false;
    let timedOut = false;
    try {
      for (const step of steps) {
        const left = request.limit - matches.length;
        const budgetMs = deadline - Date.now();
        if (left <= 0 || budgetMs <= 0) {
          truncated ||= left <= 0;
          timedOut ||= budgetMs <= 0;
          break;
        }
        const result = await searchLog(store.read(step.ref), request, { limit: left, budgetMs });
        matches.push(...result.matches.map((m) => ({ stage: step.ref.stage, step: step.ref.step, ...m })));
        truncated ||= result.truncated;
        timedOut ||= result.timedOut;
        if (result.timedOut) break;
      }
    } catch (err) {
      return logProblem(err);
    }
    return { matches, truncated, timedOut };
  }

  /** Every step's log in order, each under a section header; 200 whatever Range says (RFC 9110 allows it). */
  private async wholeRun(exe: Execution, res: Response, download: boolean): Promise<void> {
    const store = await this.reader.store(exe);
    const steps = this.reader.steps(exe).filter(hasLog);
    try {
      const views = await Promise.all(steps.map((s) => store.view(s.ref)));
      const complete = views.every((v) => v.sealed && !v.sealed.partial);
      res.status(200);
      this.textHeaders(res, views.reduce((sum, v) => sum + v.size, 0), complete ? { partial: false } : undefined, download ? `${exe.metadata.name}.log` : undefined);
      res.setHeader('X-Log-Complete', String(complete && TERMINAL.has(exe.status?.phase ?? '')));
      for (const [i, step] of steps.entries()) {
        if (!res.write(`==> stage ${step.ref.stage} ${JSON.stringify(step.stageName)} / step ${step.ref.step} ${JSON.stringify(step.stepName)} <==\n`)) await new Promise((r) => res.once('drain', r));
        let last = 0x0a;
        const bytes = store.read(step.ref, 0, views[i].size);
        const tracked = (async function* () {
          for await (const buf of bytes) {
            if (buf.length > 0) last = buf[buf.length - 1];
            yield buf;
          }
        })();
        if (!(await pipeBytes(res, tracked))) return;
        res.write(last === 0x0a ? '\n' : '\n\n');
      }
      res.end();
    } catch (err) {
      if (res.headersSent) return void res.destroy();
      logProblem(err);
    }
  }

  private textHeaders(res: Response, size: number, sealed: { partial: boolean } | undefined, filename: string | undefined): void {
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Log-Size', String(size));
    res.setHeader('X-Log-Complete', String(Boolean(sealed && !sealed.partial)));
    if (sealed?.partial) res.setHeader('X-Log-Partial', 'true');
    if (filename) res.setHeader('Content-Disposition', `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`);
  }

  private async stream(res: Response, bytes: AsyncIterable<Buffer>): Promise<void> {
    // The first read happens before the headers go, so a store that fails at once is still a 503.
    const iterator = bytes[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (!first.done) res.write(first.value);
    await pipeBytes(res, { [Symbol.asyncIterator]: () => iterator });
    if (!res.destroyed) res.end();
  }

}

const TERMINAL: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Aborted']);

function hasLog(step: StepOfRun): boolean {
  return step.phase !== 'Pending' && step.phase !== 'Skipped';
}

function unsatisfiable(size: number, detail: string): ApiProblem {
  return new ApiProblem('invalid-request', 416, 'Range Not Satisfiable', detail, {}, { 'Content-Range': `bytes */${size}` });
}
