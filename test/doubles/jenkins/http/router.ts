// Route table below an instance's context path. Patterns name their variables (`/job/{job}/{build}/api/json`);
// a trailing slash is optional, as Stapler does not care. The pattern is also the key of the request counters.
export type RouteParams = Record<string, string>;
export type RouteHandler<C> = (c: C, p: RouteParams) => void | Promise<void>;

export interface Route<C> {
  methods: string[];
  pattern: string;
  handler: RouteHandler<C>;
}

export interface RouteMatch<C> {
  route: Route<C>;
  params: RouteParams;
}

export class Router<C> {
  private readonly routes: Array<Route<C> & { segments: string[] }> = [];

  add(methods: string | string[], pattern: string, handler: RouteHandler<C>): this {
    this.routes.push({ methods: ([] as string[]).concat(methods), pattern, handler, segments: split(pattern) });
    return this;
  }

  /**
   * The most specific route that fits the path (most literal segments, so `/job/{job}/config.xml` wins over
   * `/job/{job}/{build}`); `methodAllowed` is false when it fits but not with this method (405).
   */
  match(method: string, path: string): { match?: RouteMatch<C>; methodAllowed: boolean; pattern?: string } {
    const segments = split(path).map(decode);
    let best: { score: number; pattern: string; match?: RouteMatch<C> } | undefined;
    for (const route of this.routes) {
      const params = fit(route.segments, segments);
      if (!params) continue;
      const score = route.segments.filter((s) => !s.startsWith('{')).length;
      const allowed = route.methods.includes(method) || (method === 'HEAD' && route.methods.includes('GET'));
      if (!best || score > best.score || (score === best.score && allowed && !best.match)) {
        best = { score, pattern: route.pattern, match: allowed ? { route, params } : undefined };
      }
    }
    if (!best) return { methodAllowed: true };
    return { match: best.match, methodAllowed: best.match !== undefined, pattern: best.pattern };
  }
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function fit(pattern: string[], segments: string[]): RouteParams | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: RouteParams = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.startsWith('{') && p.endsWith('}')) params[p.slice(1, -1)] = segments[i];
    else if (p !== segments[i]) return undefined;
  }
  return params;
}
