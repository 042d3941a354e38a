// `api/json` answers: the default view, or the full object pruned by `?tree=` (stapler TreePruner).
import { HttpError } from '../http/exchange';
import { applyTree, parseTree, TreeSyntaxError } from '../http/tree-filter';
import type { RequestContext } from './request-context';

/** `full` is computed only when `tree=` is given; without it the default (depth 0) view answers. */
export function sendApi(c: RequestContext, defaultView: () => unknown, full: () => unknown = defaultView): void {
  const tree = c.x.param('tree');
  if (tree === undefined) {
    c.x.json(defaultView());
    return;
  }
  try {
    c.x.json(applyTree(full(), parseTree(tree)));
  } catch (err) {
    if (err instanceof TreeSyntaxError) throw new HttpError(500, `java.lang.IllegalArgumentException: ${err.message}`);
    throw err;
  }
}
