// One page of a list, through the apiserver's own paging (`limit`/`continue`): never the whole collection fetched
// to be sliced. Filters the apiserver cannot apply (an execution's phase, branch...) are applied to each apiserver
// page; the pager follows `continue` until the page is full or `maxPages` apiserver pages were read, and then
// hands back a continue token that resumes exactly there. Each apiserver page asks for no more than the items still
// missing, so a page never overflows and nothing between two pages is skipped. A list may walk several namespaces
// one after the other (a caller who may list some namespaces, not all).
import type { KubeObject, ListOptions, ObjectList } from '@keelson/kube';
import type { ApiserverCursor } from './list-cursor';

export interface ApiserverPageRequest {
  list(namespace: string | undefined, options: ListOptions): Promise<ObjectList<KubeObject>>;
  /** `[undefined]`: one listing across every namespace; else these namespaces, in this order. */
  namespaces: ReadonlyArray<string | undefined>;
  labelSelector?: string;
  /** Filters the apiserver cannot apply; none: every item it lists is kept. */
  accept?: (obj: KubeObject) => boolean;
  limit: number;
  cursor?: ApiserverCursor;
  maxPages: number;
}

export interface ApiserverPage {
  items: KubeObject[];
  /** The lowest of the listings' resourceVersions: a watch from it misses nothing. */
  resourceVersion: string;
  next?: ApiserverCursor;
}

export async function pageFromApiserver(req: ApiserverPageRequest): Promise<ApiserverPage> {
  const walking = !(req.namespaces.length === 1 && req.namespaces[0] === undefined);
  let at = 0;
  let cont = req.cursor?.c;
  if (walking && req.cursor?.ns !== undefined) {
    // The namespace of the token, or the first after it if the caller may no longer list it.
    at = req.namespaces.findIndex((ns) => ns! >= req.cursor!.ns!);
    if (at < 0) return { items: [], resourceVersion: '0' };
    if (req.namespaces[at] !== req.cursor.ns) cont = undefined;
  }
  const items: KubeObject[] = [];
  let version: bigint | undefined;
  const here = (i: number): ApiserverCursor => ({ k: 'apiserver', ...(walking && { ns: req.namespaces[i] }) });
  for (let pages = 0; at < req.namespaces.length; pages++) {
    if (pages === req.maxPages) return { items, resourceVersion: String(version ?? 0), next: { ...here(at), ...(cont && { c: cont }) } };
    const page = await req.list(req.namespaces[at], { labelSelector: req.labelSelector, limit: req.limit - items.length, continue: cont });
    const v = /^\d+$/.test(page.metadata.resourceVersion) ? BigInt(page.metadata.resourceVersion) : undefined;
    if (v !== undefined && (version === undefined || v < version)) version = v;
    for (const item of page.items) if (!req.accept || req.accept(item)) items.push(item);
    cont = page.metadata.continue || undefined;
    if (!cont) at++;
    if (items.length >= req.limit) {
      if (cont) return { items, resourceVersion: String(version ?? 0), next: { ...here(at), c: cont } };
      if (at < req.namespaces.length) return { items, resourceVersion: String(version ?? 0), next: here(at) };
      break;
    }
  }
  return { items, resourceVersion: String(version ?? 0) };
}
