// The shell script each container step runs, and the data files it reads. Both reach the agent as base64
// (writeFile encoding 'Base64'), so neither Groovy nor YAML ever parses them; values that go into a command
// line are shell-quoted words, and the user's own script is run as a file, never re-parsed by us.
import { posix } from 'node:path';

import type {
  ApplyAppStep, ApplyYamlStep, PublishCatalogStep, PublishImageStep, RunScriptStep, Step,
} from '@keelson/pipeline-config';

import { JenkinsCompileError } from '../compile.errors';
import { shellQuote, toYaml } from '../escape';
import { KANIKO_EXECUTOR, KANIKO_REGISTRY_CA_FILE } from './kaniko-paths';
import { registryHost, type PublishPlan } from './publish-target';

export interface StepFile {
  /** File name in `$KEELSON_DIR`. */
  name: string;
  content: string;
}

export interface StepScript {
  /** The script's own file name in `$KEELSON_DIR`. */
  name: string;
  content: string;
  /** True when the script names its interpreter (`#!`): it is executed directly, not through `/bin/sh -xe`. */
  shebang: boolean;
  files: StepFile[];
}

export interface StepScriptContext {
  /** Base name of the files of this step (the container name, a DNS label). */
  baseName: string;
  /** For publish steps: where to push, whether pushing is allowed (never for fork pull requests), the CA. */
  publish?: PublishPlan;
  /**
   * Namespace of deploy steps that name none: the project's. kubectl and helm would otherwise take the token's
   * namespace file, the build namespace, where the deploy ClusterRole is not bound.
   */
  deployNamespace: string;
}

type ContainerStep = Exclude<Step, { type: 'approval' }>;

export function buildStepScript(step: ContainerStep, ctx: StepScriptContext): StepScript {
  switch (step.type) {
    case 'runScriptConfig':
      return runScript(step, ctx);
    case 'publishImageConfig':
      return script(ctx, publishImage(step, ctx));
    case 'applyYamlConfig':
      return applyYaml(step, ctx);
    case 'applyAppConfig':
      return applyApp(step, ctx);
    case 'publishCatalogConfig':
      return script(ctx, publishCatalog(step));
  }
}

function script(ctx: StepScriptContext, lines: string[], files: StepFile[] = []): StepScript {
  return { name: `${ctx.baseName}.sh`, content: ['set -e', ...lines, ''].join('\n'), shebang: false, files };
}

function keelsonFile(name: string): string {
  return `"$KEELSON_DIR/${name}"`;
}

function runScript(step: RunScriptStep, ctx: StepScriptContext): StepScript {
  const content = step.config.shellScript ?? '';
  return { name: `${ctx.baseName}.sh`, content, shebang: content.startsWith('#!'), files: [] };
}

function publishImage(step: PublishImageStep, ctx: StepScriptContext): string[] {
  const { dockerfilePath, buildContext } = step.config;
  const publish = ctx.publish as PublishPlan;
  // Kaniko fetches a context named `<scheme>://...` (git, s3, https, ...) and keeps only the text up to the
  // next `://` after `dir://`; no directory of a checkout is named like that.
  if (buildContext.includes('://')) {
    throw new JenkinsCompileError('InvalidBuildPath', `build context ${JSON.stringify(buildContext)} contains "://": Kaniko would not read it as a directory of the checkout`);
  }
  const flags = [
    `--context=${shellQuote(`dir://${buildContext}`)}`,
    `--dockerfile=${shellQuote(checkoutPath(dockerfilePath))}`,
    ...publish.target.images.map((image) => `--destination=${shellQuote(image)}`),
    ...(publish.registryCa ? [`--registry-certificate=${shellQuote(`${registryHost(publish.target)}=${KANIKO_REGISTRY_CA_FILE}`)}`] : []),
    ...(publish.push ? [] : ['--no-push']),
    // The default `color` format forces ANSI escapes into the build log.
    '--log-format=text',
  ];
  // Kaniko in the step container: builds as root in userspace, no daemon, no privileged mode, no extra capability.
  return [`exec ${KANIKO_EXECUTOR} \\`, ...flags.map((flag, i) => `  ${flag}${i < flags.length - 1 ? ' \\' : ''}`)];
}

/** A relative path stays a file of the checkout: Kaniko downloads a Dockerfile named `http(s)://...`. */
function checkoutPath(path: string): string {
  return posix.isAbsolute(path) || path.startsWith('./') || path.startsWith('../') ? path : `./${path}`;
}

function applyYaml(step: ApplyYamlStep, ctx: StepScriptContext): StepScript {
  const { path, content, namespace } = step.config;
  const files: StepFile[] = content !== undefined ? [{ name: `${ctx.baseName}.yaml`, content }] : [];
  const source = content !== undefined ? keelsonFile(files[0].name) : shellQuote(path ?? '');
  return script(ctx, [`exec kubectl apply -f ${source} --namespace ${shellQuote(namespace || ctx.deployNamespace)}`], files);
}

function applyApp(step: ApplyAppStep, ctx: StepScriptContext): StepScript {
  const c = step.config;
  const values: StepFile = { name: `${ctx.baseName}.values.yaml`, content: toYaml(c.values) };
  const args = [
    `exec helm upgrade --install ${shellQuote(c.releaseName)} ${shellQuote(c.chart)}`,
    c.repo !== undefined ? `--repo ${shellQuote(c.repo)}` : undefined,
    c.version !== undefined ? `--version ${shellQuote(c.version)}` : undefined,
    `--namespace ${shellQuote(c.targetNamespace || ctx.deployNamespace)}`,
    `--values ${keelsonFile(values.name)}`,
    '--wait',
    step.timeout !== undefined ? `--timeout ${step.timeout}m` : undefined,
  ].filter((a): a is string => a !== undefined);
  return script(ctx, [args.join(' ')], [values]);
}

function publishCatalog(step: PublishCatalogStep): string[] {
  const c = step.config;
  const target = `"$work/catalog/charts/"${shellQuote(c.catalogTemplate)}/${shellQuote(c.version)}`;
  const identity = [
    c.gitAuthor !== undefined ? `-c user.name=${shellQuote(c.gitAuthor)}` : '-c user.name=keelson',
    c.gitEmail !== undefined ? `-c user.email=${shellQuote(c.gitEmail)}` : '-c user.email=keelson@localhost',
  ].join(' ');
  return [
    // Credentials come from the step's envFrom (USERNAME and PASSWORD), as in Rancher; never from our text.
    `git config --global credential.helper '!f() { echo "username=$USERNAME"; echo "password=$PASSWORD"; }; f'`,
    'work="$(mktemp -d)"',
    `git clone --depth 1 --branch ${shellQuote(c.gitBranch)} ${shellQuote(c.gitUrl)} "$work/catalog"`,
    `mkdir -p ${target}`,
    `cp -R ${shellQuote(c.path)}/. ${target}/`,
    'cd "$work/catalog"',
    'git add -A',
    `git ${identity} commit -m ${shellQuote(`Publish ${c.catalogTemplate} ${c.version}`)}`,
    `git push origin HEAD:${shellQuote(c.gitBranch)}`,
  ];
}
