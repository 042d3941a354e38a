// Rancher 2.x users' pipeline files, measured: 145 real `.rancher-pipeline.y(a)ml` files from distinct public
// repositories (test/fixtures/rancher-corpus, SOURCES says where each came from). Every file Rancher could run
// must be accepted and compile to a Jenkinsfile; every file it could not (EXPECTED, with the reason per file)
// must be refused with FILE:LINE:COL errors. The share accepted is printed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatIssue, formatWarning, parsePipelineConfig, type PipelineConfig } from '@keelson/pipeline-config';

import { compileJenkinsJob } from './jenkins-job.compiler';
import { someFacts, someRecentNodes, someSettings } from './testing/compile-input.builders';

const CORPUS = join(__dirname, '../../../../test/fixtures/rancher-corpus');

/** Tab-separated lines of a fixture list, comments left out. */
function rows(name: string): string[][] {
  return readFileSync(join(CORPUS, name), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'));
}

const sources = rows('SOURCES').map(([dir, repository, path, commit]) => ({ dir, repository, path, commit }));
const expectedRefused = new Map(rows('EXPECTED').map(([dir, why]) => [dir, why]));
const results = sources.map((s) => {
  const file = `${s.dir}/${s.path}`;
  return { ...s, file, result: parsePipelineConfig(readFileSync(join(CORPUS, file), 'utf8'), { file }) };
});
const accepted = results.filter((r) => r.result.ok);

/**
 * A plausible run of the file: a push to main, or a tag when an image is tagged with the git tag (such a file only
 * ever ran on tags: on a push Rancher's builder got an empty tag and failed too).
 */
function plausibleFacts(config: PipelineConfig) {
  const tagged = config.stages.some((s) => s.steps.some((p) => p.type === 'publishImageConfig' && p.config.tag.includes('${CICD_GIT_TAG}')));
  return tagged ? someFacts({ event: 'tag', branch: 'v1.2.0', ref: 'refs/tags/v1.2.0', tag: 'v1.2.0' }) : someFacts();
}

describe('the corpus of real Rancher pipeline files', () => {
  afterAll(() => {
    const runnable = results.length - expectedRefused.size;
    const share = (n: number, of: number) => `${n} of ${of} (${((100 * n) / of).toFixed(1)}%)`;
    process.stdout.write(`rancher corpus: accepted ${share(accepted.length, results.length)} files; of the files Rancher could run, ${share(accepted.length, runnable)}\n`);
  });

  it('holds at least 100 .rancher-pipeline.yml files, one per repository, each named in SOURCES', () => {
    expect(sources.filter((s) => s.path === '.rancher-pipeline.yml').length).toBeGreaterThanOrEqual(100);
    expect(new Set(sources.map((s) => s.repository.toLowerCase())).size).toBe(sources.length);
    for (const s of sources) expect(s.commit).toMatch(/^[0-9a-f]{40}$/);
    const dirs = readdirSync(CORPUS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(dirs).toEqual(sources.map((s) => s.dir).sort());
    for (const dir of expectedRefused.keys()) expect(dirs).toContain(dir);
  });

  it('refuses exactly the files Rancher could not run, each with FILE:LINE:COL errors', () => {
    const refused = results.filter((r) => !r.result.ok);
    expect(refused.map((r) => r.dir).sort()).toEqual([...expectedRefused.keys()].sort());
    for (const r of refused) {
      const issues = r.result.ok ? [] : r.result.issues;
      expect(issues.length).toBeGreaterThan(0);
      for (const issue of issues) expect(formatIssue(issue)).toMatch(new RegExp(`^${escape(r.file)}:[1-9]\\d*:[1-9]\\d*: \\S`));
    }
  });

  it('compiles every accepted file to a Jenkinsfile with a stage per stage of the file', () => {
    const failures: string[] = [];
    for (const r of accepted) {
      const config = (r.result as { config: PipelineConfig }).config;
      const privileged = config.stages.some((s) => s.steps.some((p) => p.privileged));
      try {
        const job = compileJenkinsJob({ config, facts: plausibleFacts(config), settings: someSettings({ allowPrivileged: privileged }), recentNodes: someRecentNodes() });
        const stages = job.jenkinsfile.match(/\bstage\(/g)?.length ?? 0;
        if (stages < config.stages.length) failures.push(`${r.file}: ${stages} stages in the Jenkinsfile for ${config.stages.length}`);
      } catch (err) {
        failures.push(`${r.file}: ${(err as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('locates every warning at FILE:LINE:COL, and warns about notification: {} where the file has it', () => {
    for (const r of results) {
      for (const w of r.result.warnings) expect(formatWarning(w)).toMatch(new RegExp(`^${escape(r.file)}:[1-9]\\d*:[1-9]\\d*: warning: \\S`));
    }
    const emptyNotification = accepted.filter((r) => /^notification: \{\}\s*$/m.test(readFileSync(join(CORPUS, r.file), 'utf8')));
    expect(emptyNotification.length).toBeGreaterThan(50);
    for (const r of emptyNotification) expect(r.result.warnings.map((w) => w.code)).toContain('NoRecipients');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
