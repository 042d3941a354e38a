// The stage-view REST API of a run and the input step (pipeline-input-step InputAction / InputStepExecution).
import { HttpError } from '../http/exchange';
import type { Build } from '../model/build';
import { escapeHtml, atomExt, logExt, pendingInputsExt, runExt, stageExt } from '../views/wfapi.view';
import { buildOf, jobOf, type JenkinsRouter, type RequestContext } from './request-context';

function run(c: RequestContext, p: Record<string, string>): Build {
  return buildOf(c, jobOf(c, p.job), p.build);
}

function nodeOf(b: Build, id: string) {
  const node = b.graph.get(id);
  if (!node) throw new HttpError(404, 'Not Found');
  return node;
}

/** InputAction.getExecution(id): ids are matched as given; settled inputs are gone (404). */
function decide(c: RequestContext, b: Build, id: string | undefined, decision: 'proceed' | 'abort'): void {
  const pending = id === undefined ? undefined : b.pendingInputs.get(id);
  if (!pending) throw new HttpError(404, 'Not Found');
  if (decision === 'proceed') pending.proceed(c.x.user);
  else pending.abort(c.x.user);
}

export function wfapiRoutes(router: JenkinsRouter): void {
  router.add('GET', '/job/{job}/{build}/wfapi', (c, p) => c.x.json(runExt(run(c, p), c.view())));
  router.add('GET', '/job/{job}/{build}/wfapi/describe', (c, p) => {
    c.x.json(runExt(run(c, p), c.view(), c.x.param('fullStages') === 'true'));
  });

  router.add('GET', '/job/{job}/{build}/execution/node/{node}/wfapi/describe', (c, p) => {
    const b = run(c, p);
    const node = nodeOf(b, p.node);
    c.x.json(node.kind === 'stage' ? stageExt(b, node, c.view(), true) : atomExt(b, node, c.view()));
  });

  router.add('GET', '/job/{job}/{build}/execution/node/{node}/wfapi/log', (c, p) => {
    const b = run(c, p);
    c.x.json(logExt(b, nodeOf(b, p.node), c.view()));
  });

  router.add('GET', '/job/{job}/{build}/execution/node/{node}/log', (c, p) => {
    const node = nodeOf(run(c, p), p.node);
    if (!node.log) throw new HttpError(404, 'Not Found');
    c.x.html(`<html><body><pre>${escapeHtml(node.log.plain())}</pre></body></html>`);
  });

  router.add('GET', '/job/{job}/{build}/wfapi/pendingInputActions', (c, p) => c.x.json(pendingInputsExt(run(c, p), c.view())));
  router.add('GET', '/job/{job}/{build}/wfapi/nextPendingInputAction', (c, p) => {
    c.x.json(pendingInputsExt(run(c, p), c.view())[0] ?? null);
  });

  // RunAPI.doInputSubmit: a missing input is a ServletException (500), not a 404.
  router.add('POST', '/job/{job}/{build}/wfapi/inputSubmit', (c, p) => {
    const b = run(c, p);
    const id = c.x.param('inputId');
    if (id === undefined || !b.pendingInputs.has(id)) {
      throw new HttpError(500, `Error processing Input Submit request. This Run instance does not have an Input with an ID of '${id}'. The input ID may not be pre-normalized appropriately.`);
    }
    decide(c, b, id, 'proceed');
    c.x.empty(200);
  });

  router.add('POST', '/job/{job}/{build}/input/{id}/proceedEmpty', (c, p) => {
    decide(c, run(c, p), p.id, 'proceed');
    c.x.empty(200);
  });
  router.add('POST', '/job/{job}/{build}/input/{id}/proceed', (c, p) => {
    decide(c, run(c, p), p.id, 'proceed');
    c.x.empty(200);
  });
  router.add('POST', '/job/{job}/{build}/input/{id}/abort', (c, p) => {
    decide(c, run(c, p), p.id, 'abort');
    c.x.empty(200);
  });
}
