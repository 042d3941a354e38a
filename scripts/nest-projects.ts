// The projects nest-cli.json must list: every folder under apps/ and libs/, each with its own tsconfig so that
// `nest build <project>` compiles that project (and the libs it imports) into the same dist/ layout as npm run build.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface NestProject {
  type: 'application' | 'library';
  root: string;
  sourceRoot: string;
  entryFile?: string;
  compilerOptions?: { tsConfigPath?: string };
}

export function nestProjects(root: string): Record<string, NestProject> {
  return (JSON.parse(readFileSync(join(root, 'nest-cli.json'), 'utf8')) as { projects: Record<string, NestProject> }).projects;
}

/** Folders under apps/ and libs/ that hold a src/ (a helper adds apps/registry-proxy: it is found the same way). */
/** The web console is a Vite app (its own vite.config.mts and tsconfig), built by `npm run build:console`, not by Nest. */
const NOT_NEST = new Set(['apps/console']);

export function projectFolders(root: string): Array<{ name: string; kind: 'apps' | 'libs' }> {
  return (['apps', 'libs'] as const).flatMap((kind) => readdirSync(join(root, kind), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, kind, d.name, 'src')) && !NOT_NEST.has(`${kind}/${d.name}`))
    .map((d) => ({ name: d.name, kind })));
}
