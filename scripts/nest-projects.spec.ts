import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nestProjects, projectFolders } from './nest-projects';

const root = join(__dirname, '..');
const projects = nestProjects(root);

describe('nest-cli.json', () => {
  it('lists exactly the folders under apps/ and libs/', () => {
    expect(Object.keys(projects).sort()).toEqual(projectFolders(root).map((f) => f.name).sort());
    for (const { name, kind } of projectFolders(root)) {
      expect({ name, type: projects[name].type, root: projects[name].root }).toEqual({ name, type: kind === 'apps' ? 'application' : 'library', root: `${kind}/${name}` });
    }
  });

  it('points each project at a source root and an entry file that exist', () => {
    for (const [name, p] of Object.entries(projects)) {
      expect({ name, sourceRoot: existsSync(join(root, p.sourceRoot)) }).toEqual({ name, sourceRoot: true });
      expect({ name, sourceRoot: p.sourceRoot }).toEqual({ name, sourceRoot: `${p.root}/src` });
      const entry = join(root, p.sourceRoot, `${p.entryFile ?? (p.type === 'library' ? 'index' : 'main')}.ts`);
      expect({ name, entry: existsSync(entry) }).toEqual({ name, entry: true });
    }
  });

  it('gives each project its own tsconfig, built like npm run build: same options, output in dist/, no tests', () => {
    for (const [name, p] of Object.entries(projects)) {
      const path = p.compilerOptions?.tsConfigPath;
      expect({ name, path }).toEqual({ name, path: `${p.root}/tsconfig.${p.type === 'application' ? 'app' : 'lib'}.json` });
      const tsconfig = JSON.parse(readFileSync(join(root, path!), 'utf8'));
      expect({ name, tsconfig }).toEqual({
        name,
        tsconfig: { extends: '../../tsconfig.build.json', compilerOptions: { outDir: '../../dist' }, include: ['src/**/*.ts'], exclude: ['**/*.spec.ts', '**/*.test.ts'] },
      });
    }
  });

  it('resolves every @keelson/<lib> a project imports to a listed library', () => {
    const paths = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')).compilerOptions.paths as Record<string, string[]>;
    expect(paths['@keelson/*']).toEqual(['libs/*/src']);
    for (const [name, p] of Object.entries(projects)) {
      const index = readFileSync(join(root, p.sourceRoot, `${p.entryFile ?? 'index'}.ts`), 'utf8');
      for (const m of index.matchAll(/from '@keelson\/([\w-]+)'/g)) expect({ name, imports: m[1], listed: projects[m[1]]?.type }).toEqual({ name, imports: m[1], listed: 'library' });
    }
  });
});
