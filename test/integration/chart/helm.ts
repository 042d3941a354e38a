// Runs the built helm (scripts/build-servers.sh) against charts/keelson and parses what it renders.
import { execFile } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { repoRoot, serverBinary } from '@keelson/servers';

const run = promisify(execFile);

export const CHART_DIR = join(repoRoot(), 'charts', 'keelson');
export const SPLIT_VALUES = join(CHART_DIR, 'ci', 'split-values.yaml');

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs helm with a private home (no repositories, cache or plugins of the machine's user); never throws. */
export async function helm(args: string[], opts: { kubeconfig?: string; input?: string } = {}): Promise<HelmResult> {
  const home = mkdtempSync(join(tmpdir(), 'keelson-helm-'));
  try {
    const child = run(serverBinary('helm'), [...(opts.kubeconfig ? ['--kubeconfig', opts.kubeconfig] : []), ...args], {
      maxBuffer: 64 << 20,
      env: {
        PATH: process.env.PATH, HOME: home,
        HELM_CACHE_HOME: join(home, 'cache'), HELM_CONFIG_HOME: join(home, 'config'), HELM_DATA_HOME: join(home, 'data'),
      },
    });
    if (opts.input !== undefined) child.child.stdin!.end(opts.input);
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(err) };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** helm, failing with its output when it exits non-zero. */
export async function helmOk(args: string[], opts: { kubeconfig?: string } = {}): Promise<string> {
  const result = await helm(args, opts);
  if (result.code !== 0) throw new Error(`helm ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: any;
}

export interface RenderOptions {
  release?: string;
  namespace?: string;
  /** Values files, after the chart's values.yaml. */
  valuesFiles?: string[];
  /** Values given inline (written to a file, so types survive: --set would turn "true" into a boolean). */
  values?: Record<string, unknown>;
  chartDir?: string;
}

function valuesArgs(opts: RenderOptions, dir: string): string[] {
  const args = (opts.valuesFiles ?? []).flatMap((f) => ['-f', f]);
  if (opts.values) {
    const file = join(dir, 'values.json');
    writeFileSync(file, JSON.stringify(opts.values));
    args.push('-f', file);
  }
  return args;
}

/** `helm template` arguments for a render, with the values files it needs kept in `dir`. */
export function templateArgs(opts: RenderOptions, dir: string): string[] {
  return ['template', opts.release ?? 'keelson', opts.chartDir ?? CHART_DIR, '--namespace', opts.namespace ?? 'keelson-system', ...valuesArgs(opts, dir)];
}

/** `helm install|upgrade` value arguments, with the values files kept in `dir`. */
export function installValuesArgs(opts: RenderOptions, dir: string): string[] {
  return valuesArgs(opts, dir);
}

/** The YAML text `helm template` prints. */
export async function renderText(opts: RenderOptions = {}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-values-'));
  try {
    return await helmOk(templateArgs(opts, dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What `helm template` renders, parsed. */
export async function render(opts: RenderOptions = {}): Promise<K8sObject[]> {
  return parseAllDocuments(await renderText(opts)).map((d) => d.toJSON()).filter((o): o is K8sObject => !!o);
}

/** The render failure's message (stderr), failing the test when the chart renders. */
export async function renderError(opts: RenderOptions): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-values-'));
  try {
    const result = await helm(templateArgs(opts, dir));
    if (result.code === 0) throw new Error(`the chart rendered values it should refuse: ${JSON.stringify(opts.values)}`);
    return result.stderr;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const byKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
export const named = (objects: K8sObject[], kind: string, name: string): K8sObject => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
};
