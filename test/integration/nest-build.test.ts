// `nest build <project>` works for every project nest-cli.json lists (scripts/nest-projects.spec.ts checks that it
// lists every app and lib). Each build compiles the project and the libs it imports from its own tsconfig: the apps
// compile most of the repository (manager and local: 30 s of CPU each, minutes on a loaded machine).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@keelson/servers';
import { nestProjects } from '../../scripts/nest-projects';

const root = repoRoot();

describe('nest build', () => {
  it.each(Object.keys(nestProjects(root)))('builds %s on its own', (project) => {
    const run = spawnSync('bash', [join(root, 'scripts', 'nest-build.sh'), project], { cwd: root, encoding: 'utf8', timeout: 600_000 });
    expect({ status: run.status, output: run.status === 0 ? '' : `${run.stdout}\n${run.stderr}`.slice(-3000) }).toEqual({ status: 0, output: '' });
    expect(run.stdout).toMatch(new RegExp(`nest-build: ${project} built with (nest|tsc) in \\d+ s`));
  }, 620_000);
});
