// The manager image, checked on its Dockerfile: no container runtime and no hadolint run here, so each rule below
// says what it protects. The runtime stage's contents are started for real by test/integration/runtime-image.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MANAGER_VARIABLES } from '@keelson/config';
import { copySources, execForm, MANAGER_ENTRY, parseDockerfile, readRepoDockerfile, runtimeImageFiles, type Stage } from './dockerfile';

const root = join(__dirname, '..');
const dockerfile = readRepoDockerfile(root);
const [build, runtime] = dockerfile.stages;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
const runs = (stage: Stage) => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
const only = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);
const chartHelpers = readFileSync(join(root, 'charts', 'keelson', 'templates', '_helpers.tpl'), 'utf8');

describe('the manager Dockerfile', () => {
  it('has a build stage and a runtime stage, the runtime one last', () => {
    expect(dockerfile.stages.map((s) => s.name)).toEqual(['build', 'runtime']);
  });

  it('builds with the locked dependencies and the repository\'s build script', () => {
    expect(runs(build)).toEqual(expect.arrayContaining([expect.stringMatching(/^npm ci\b(?!.*--omit)/), 'npm run build']));
    expect(runs(build).join('\n')).not.toMatch(/npm install/);
  });

  it('runs on an exact Node 20 release (a tag with a full version, or a digest), never latest, that satisfies engines', () => {
    for (const stage of dockerfile.stages) {
      expect(stage.image).not.toMatch(/:latest\b|^[^:@]+$/);
      expect(stage.image).toMatch(/^node:(\d+\.\d+\.\d+)-[a-z]+-slim(@sha256:[a-f0-9]{64})?$|@sha256:[a-f0-9]{64}$/);
    }
    const [major, minor] = /^node:(\d+)\.(\d+)\.\d+/.exec(runtime.image)!.slice(1).map(Number);
    const floor = />=\s*(\d+)\.(\d+)/.exec(pkg.engines.node)!.slice(1).map(Number);
    expect(major).toBe(floor[0]);
    expect(minor).toBeGreaterThanOrEqual(floor[1]);
  });

  it('installs production dependencies only in the runtime stage, from the lock file', () => {
    expect(runs(runtime).some((r) => /\bnpm ci --omit=dev\b/.test(r))).toBe(true);
    expect(runs(runtime).join('\n')).not.toMatch(/npm (install|i) |npm run build|--include=dev/);
  });

  it('copies into the runtime stage exactly what scripts/runtime-image.sh copies, root-owned', () => {
    const copied = only(runtime, 'COPY').map(copySources);
    // /src/dist from the build stage is dist in the script's terms.
    expect(copied.flatMap((c) => c.sources.map((s) => s.replace(/^\/src\//, '')))).toEqual(runtimeImageFiles(root));
    // Root-owned and so not writable by user 10001: the running manager cannot change its own code.
    for (const c of copied) expect(c.flags).toContain('--chown=0:0');
    expect(only(runtime, 'ADD')).toEqual([]);
  });

  it('runs as the chart\'s numeric non-root user, set after every RUN', () => {
    const users = only(runtime, 'USER');
    expect(users.map((u) => u.args)).toEqual(['10001:10001']);
    expect(chartHelpers).toMatch(/runAsUser: 10001\n\s*runAsGroup: 10001/);
    const lastRun = Math.max(...only(runtime, 'RUN').map((i) => i.line));
    expect(users[0].line).toBeGreaterThan(lastRun);
  });

  it('writes only to /tmp, so a read-only root filesystem works (HOME and TMPDIR for git and Node)', () => {
    const env = only(runtime, 'ENV').map((e) => e.args).join(' ');
    expect(env).toMatch(/\bHOME=\/tmp\b/);
    expect(env).toMatch(/\bTMPDIR=\/tmp\b/);
    expect(env).toMatch(/\bNODE_ENV=production\b/);
    expect(only(runtime, 'VOLUME')).toEqual([]);
  });

  it('starts the manager\'s entry file under tini, which forwards SIGTERM and reaps git\'s orphans', () => {
    const entry = execForm(only(runtime, 'ENTRYPOINT')[0]);
    expect(entry).toEqual(['/usr/bin/tini', '--', 'node', MANAGER_ENTRY]);
    expect(runs(runtime).join('\n')).toMatch(/apt-get install -y --no-install-recommends [^\n]*\btini\b[^\n]*\bgit\b/);
    expect(only(runtime, 'CMD')).toEqual([]);
    expect(only(runtime, 'WORKDIR').map((w) => w.args)).toEqual(['/app']);
  });

  it('exposes the manager\'s default port', () => {
    expect(only(runtime, 'EXPOSE').map((e) => e.args)).toEqual([String(MANAGER_VARIABLES.port.default)]);
  });

  it('has no HEALTHCHECK: Kubernetes ignores it, the chart probes /healthz and /readyz', () => {
    expect(dockerfile.stages.flatMap((s) => only(s, 'HEALTHCHECK'))).toEqual([]);
  });

  it('labels and reports the version it was built from', () => {
    const labels = only(runtime, 'LABEL').map((l) => l.args).join(' ');
    expect(labels).toContain('org.opencontainers.image.version="${VERSION}"');
    expect(labels).toContain('org.opencontainers.image.revision="${GIT_COMMIT}"');
    const env = only(runtime, 'ENV').map((e) => e.args).join(' ');
    expect(env).toContain('KEELSON_VERSION=${VERSION}');
    expect(env).toContain('KEELSON_GIT_COMMIT=${GIT_COMMIT}');
    expect(only(runtime, 'ARG').map((a) => a.args.split('=')[0])).toEqual(['VERSION', 'GIT_COMMIT']);
  });

  it('takes no secret as a build argument or environment variable, and apt lists are not kept', () => {
    const declared = dockerfile.stages.flatMap((s) => [...only(s, 'ARG'), ...only(s, 'ENV')]).map((i) => i.args).join(' ');
    expect(declared).not.toMatch(/TOKEN|SECRET|PASSWORD|PASSWD|_KEY\b|NPM_AUTH|CREDENTIAL/i);
    expect(Object.keys(dockerfile.globalArgs)).toEqual(['NODE_IMAGE']);
    expect(runs(runtime).join('\n')).toMatch(/rm -rf \/var\/lib\/apt\/lists\/\*/);
  });

  it('leaves dependencies, builds, git history and local secrets out of the build context', () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['.git', 'node_modules', 'dist', '.env', '.env.*']));
    // Everything `npm run build` compiles stays in the context.
    for (const needed of ['apps', 'libs', 'scripts', 'bench', 'test', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json']) {
      expect(ignored).not.toContain(needed);
    }
  });
});

describe('parseDockerfile', () => {
  it('joins continued lines, skips comments inside them and substitutes global build arguments in FROM', () => {
    const parsed = parseDockerfile('ARG BASE=node:20.1.2-bookworm-slim\nFROM ${BASE} AS one\n# c\nRUN a \\\n  # inner\n  && b\nFROM one\nCOPY --chown=0:0 x y ./\n');
    expect(parsed.stages.map((s) => [s.name, s.image])).toEqual([['one', 'node:20.1.2-bookworm-slim'], [undefined, 'one']]);
    expect(parsed.stages[0].instructions).toEqual([{ keyword: 'RUN', args: 'a  && b', line: 4 }]);
    expect(copySources(parsed.stages[1].instructions[0])).toEqual({ flags: ['--chown=0:0'], sources: ['x', 'y'], destination: './' });
  });

  it('refuses an ENTRYPOINT in shell form, which would not receive signals', () => {
    expect(() => execForm({ keyword: 'ENTRYPOINT', args: 'node main.js', line: 1 })).toThrow();
  });
});
