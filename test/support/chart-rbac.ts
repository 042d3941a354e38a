// The chart's RBAC objects as `helm template` renders them (templates/rbac.yaml unless told), for the tests that check
// and apply them.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { repoRoot, serverBinary } from '@keelson/servers';
import type { RbacObject } from '../harness/rbac-usage';

export interface RenderOptions {
  release?: string;
  namespace?: string;
  /** `--set` pairs. */
  set?: Record<string, string>;
  /** Templates to render (default templates/rbac.yaml). */
  templates?: string[];
}

/** The rendered manifest text and its objects. */
export async function renderChartRbac(opts: RenderOptions = {}): Promise<{ yaml: string; objects: RbacObject[] }> {
  const args = ['template', opts.release ?? 'keelson', join(repoRoot(), 'charts', 'keelson'), '--namespace', opts.namespace ?? 'keelson-system',
    ...(opts.templates ?? ['templates/rbac.yaml']).flatMap((t) => ['--show-only', t]), ...Object.entries(opts.set ?? {}).flatMap(([k, v]) => ['--set', `${k}=${v}`])];
  const { stdout } = await promisify(execFile)(serverBinary('helm'), args, { maxBuffer: 16 * 1024 * 1024 });
  const objects = parseAllDocuments(stdout).map((d) => d.toJSON() as RbacObject | null).filter((o): o is RbacObject => o !== null);
  return { yaml: stdout, objects };
}
