// The proof DESIGN §6 asks for: whatever text a user puts in any field, the generated Jenkinsfile has the same
// program outside string literals as with a harmless placeholder, and the text arrives intact where it
// belongs. The Jenkinsfile is read as Groovy 2.4 reads it (unicode escapes rewritten first).
import fc from 'fast-check';
import { parse } from 'yaml';

import { PipelineConfigError, resolvePipelineConfig, cicdVariables, type PipelineConfig } from '@keelson/pipeline-config';

import { JenkinsCompileError } from '../compile.errors';
import type { JenkinsCompileInput } from '../compile-input.types';
import { kubeEnvValue } from '../escape';
import { compileJenkinsJob, type CompiledJenkinsJob } from '../jenkins-job.compiler';
import { adversarialString } from '../testing/adversarial.arbitrary';
import { aCompileInput } from '../testing/compile-input.builders';
import { lexGroovy, namedStringArgument, programShape, stringLiterals } from '../testing/groovy-source.lexer';

const RUNS = 10_000;
const PLACEHOLDER = 'placeholder';

const YAML = `
stages:
- name: build
  steps:
  - name: unit
    runScriptConfig: {image: 'node:20', shellScript: npm test}
    env: {GREETING: hello}
    timeout: 5
    retry: 1
  - name: gate
    approval: {message: Ship it?}
- name: deploy
  steps:
  - name: manifests
    applyYamlConfig: {content: 'kind: ConfigMap'}
  - name: chart
    applyAppConfig: {chart: ./chart, releaseName: web, values: {greeting: hi}}
`;

type Steps = PipelineConfig['stages'][number]['steps'];
const stepAt = (c: PipelineConfig, i: number, j: number): Steps[number] => c.stages[i].steps[j];

interface Slot {
  name: string;
  set(input: JenkinsCompileInput, text: string): void;
  /** The value as the compiler must carry it: read back from the resolved config where substitution applies. */
  check(job: CompiledJenkinsJob, literals: string[], input: JenkinsCompileInput): void;
}

function resolved(input: JenkinsCompileInput): PipelineConfig {
  return resolvePipelineConfig(input.config, cicdVariables(input.facts));
}

function decodedFiles(literals: string[]): string[] {
  return literals.filter((l) => /^[A-Za-z0-9+/]*={0,2}$/.test(l)).map((l) => Buffer.from(l, 'base64').toString('utf8'));
}

// The pod literal is checked to be exactly toYaml(job.pod) on every run, and toYaml's round trip has its own
// 10,000-case property, so fields are read from the pod object (parsing YAML 10,000 times would be slow).
function podFrom(job: CompiledJenkinsJob): any {
  return job.pod;
}

function envOf(pod: any, container: string, name: string): string | undefined {
  const c = pod.spec.containers.find((x: any) => x.name === container);
  return c.env.find((e: any) => e.name === name)?.value;
}

const SLOTS: Slot[] = [
  {
    name: 'stage name',
    set: (input, t) => { input.config.stages[0].name = t; },
    check: (_job, lits, input) => expect(lits).toContain(`stage-0 ${input.config.stages[0].name}`),
  },
  {
    name: 'step name',
    set: (input, t) => { stepAt(input.config, 0, 0).name = t; },
    check: (_job, lits, input) => {
      expect(lits).toContain(`step-0-0 ${stepAt(input.config, 0, 0).name}`);
      expect(lits).toContain(stepAt(input.config, 0, 0).name);
    },
  },
  {
    name: 'shell script',
    set: (input, t) => { (stepAt(input.config, 0, 0).config as { shellScript?: string }).shellScript = t; },
    check: (_job, lits, input) =>
      expect(decodedFiles(lits)).toContain((stepAt(input.config, 0, 0).config as { shellScript?: string }).shellScript),
  },
  {
    name: 'env value',
    set: (input, t) => { stepAt(input.config, 0, 0).env.GREETING = t; },
    check: (job, _lits, input) =>
      expect(envOf(podFrom(job), 'step-0-0', 'GREETING')).toBe(kubeEnvValue(stepAt(resolved(input), 0, 0).env.GREETING)),
  },
  {
    name: 'image',
    set: (input, t) => { (stepAt(input.config, 0, 0).config as { image: string }).image = t; },
    check: (job, _lits, input) => {
      const container = podFrom(job).spec.containers.find((c: any) => c.name === 'step-0-0');
      expect(container.image).toBe((stepAt(resolved(input), 0, 0).config as { image: string }).image);
    },
  },
  {
    name: 'approval message',
    set: (input, t) => { (stepAt(input.config, 0, 1).config as { message: string }).message = t; },
    check: (_job, lits, input) => expect(lits).toContain((stepAt(input.config, 0, 1).config as { message: string }).message),
  },
  {
    name: 'manifest content',
    set: (input, t) => { (stepAt(input.config, 1, 0).config as { content?: string }).content = t; },
    check: (_job, lits, input) =>
      expect(decodedFiles(lits)).toContain((stepAt(resolved(input), 1, 0).config as { content?: string }).content),
  },
  {
    name: 'helm value',
    set: (input, t) => { (stepAt(input.config, 1, 1).config as { values: Record<string, unknown> }).values.greeting = t; },
    check: (_job, lits, input) => {
      const want = (stepAt(resolved(input), 1, 1).config as { values: Record<string, unknown> }).values;
      expect(decodedFiles(lits).some((f) => { try { return JSON.stringify(parse(f, { version: '1.1' })) === JSON.stringify(want); } catch { return false; } })).toBe(true);
    },
  },
  {
    name: 'branch',
    set: (input, t) => { input.facts.branch = t; },
    check: (job, lits, input) => {
      expect(lits.some((l) => l.startsWith(`${input.facts.branch} @ `))).toBe(true);
      expect(envOf(podFrom(job), 'jnlp', 'CICD_GIT_BRANCH')).toBe(kubeEnvValue(input.facts.branch));
    },
  },
  {
    name: 'commit message',
    set: (input, t) => { input.facts.commitMessage = t; },
    check: (_job, lits, input) => {
      const subject = [...(input.facts.commitMessage ?? '').split(/\r?\n/, 1)[0]].slice(0, 200).join('');
      expect(lits).toContain(subject ? `main @ 0123456: ${subject}` : 'main @ 0123456');
    },
  },
  {
    name: 'execution id',
    set: (input, t) => { input.facts.executionId = t; },
    check: (_job, lits, input) => expect(lits).toContain(input.facts.executionId),
  },
  {
    name: 'repository URL',
    set: (input, t) => { input.facts.gitUrl = t; },
    check: (_job, lits, input) => expect(lits).toContain(input.facts.gitUrl),
  },
];

// Parsed once: the parser is not under test here, and cloning keeps 10,000 runs fast.
const BASE_INPUT = aCompileInput(YAML);

function compile(slot: Slot, text: string): { job: CompiledJenkinsJob; input: JenkinsCompileInput } {
  const input = structuredClone(BASE_INPUT);
  slot.set(input, text);
  return { job: compileJenkinsJob(input), input };
}

const REFUSALS = new Set(['UnrepresentableText']);

describe('the generated Jenkinsfile', () => {
  const baselines = new Map(SLOTS.map((slot) => {
    const { job } = compile(slot, PLACEHOLDER);
    return [slot.name, programShape(lexGroovy(job.jenkinsfile)).join('\n')];
  }));

  it('has the same program outside string literals for 10,000 hostile values in any user field', () => {
    const counts = new Map<string, number>();
    fc.assert(
      fc.property(fc.constantFrom(...SLOTS), adversarialString, (slot, text) => {
        let compiled: { job: CompiledJenkinsJob; input: JenkinsCompileInput };
        try {
          compiled = compile(slot, text);
        } catch (e) {
          // Refusing is fine (fail closed); anything else is a bug.
          if (e instanceof JenkinsCompileError && REFUSALS.has(e.code)) return;
          if (e instanceof PipelineConfigError && e.code === 'ConfigSubstitution') return;
          throw e;
        }
        counts.set(slot.name, (counts.get(slot.name) ?? 0) + 1);
        const { job, input } = compiled;
        expect(job.jenkinsfile).toMatch(/^[\x20-\x7e\n]*$/);
        const tokens = lexGroovy(job.jenkinsfile);
        expect(programShape(tokens).join('\n')).toBe(baselines.get(slot.name));
        const literals = stringLiterals(tokens);
        expect(namedStringArgument(tokens, 'yaml')).toBe(job.podYaml);
        slot.check(job, literals, input);
        expect(job.configXml).toContain(`<sandbox>true</sandbox>`);
      }),
      { numRuns: RUNS },
    );
    // Every field was really exercised, not just refused.
    for (const slot of SLOTS) expect(counts.get(slot.name) ?? 0).toBeGreaterThan(RUNS / SLOTS.length / 2);
  });
});
