import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ControlPlane, repoRoot } from '@keelson/servers';
import { Core, KubeClient, Pod } from '@keelson/kube';
import { compileJenkinsJob } from '@keelson/engine-jenkins';
import { aCompileInput } from '../../libs/engine-jenkins/src/compiler/testing/compile-input.builders';

// The compiler's build pod, as the YAML Jenkins's Kubernetes plugin receives, must be a Pod the real
// apiserver accepts: a server-side dry run runs its validation and admission without storing anything.
let cp: ControlPlane;
let kube: KubeClient;
const ns = 'team-a-pipeline';
const examplesDir = join(repoRoot(), 'examples');
const examples = readdirSync(examplesDir).filter((f) => f.endsWith('.devops.yml'));

beforeAll(async () => {
  cp = await ControlPlane.start({ crds: false });
  kube = new KubeClient({ kubeconfigPath: cp.adminKubeconfig });
  await kube.resource(Core.Namespace).create({ metadata: { name: ns } });
  await kube.resource(Core.ServiceAccount).create({ metadata: { namespace: ns, name: 'keelson-build' } });
});
afterAll(() => cp?.stop());

describe('the compiled build pod on a real apiserver', () => {
  it('covers every example', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
  });

  it.each(examples)('%s compiles to a pod the apiserver accepts (server-side dry run)', async (file) => {
    const yaml = readFileSync(join(examplesDir, file), 'utf8');
    const job = compileJenkinsJob(aCompileInput(yaml, { settings: { namespace: ns } }));
    const pod = parse(job.podYaml) as Pod;
    pod.metadata = { ...pod.metadata, namespace: ns, name: `dry-${file.replace(/\W+/g, '-').toLowerCase()}`.slice(0, 63).replace(/-$/, '') };
    const accepted = await kube.resource(Core.Pod).create(pod, { dryRun: true });
    expect(accepted.metadata.uid).toBeTruthy();
    expect((accepted.spec.containers as unknown[]).length).toBeGreaterThan(1);
  });

  it('keeps the preferred node affinity and fork-safe secrets through validation', async () => {
    // An example with envFrom: its push build gets the secrets, its fork pull-request build must not.
    const yaml = readFileSync(join(examplesDir, 'go-service-helm.devops.yml'), 'utf8');
    const dryRun = async (facts: NonNullable<Parameters<typeof aCompileInput>[1]>['facts'], name: string) => {
      const pod = parse(compileJenkinsJob(aCompileInput(yaml, { settings: { namespace: ns }, facts })).podYaml) as Pod;
      pod.metadata = { ...pod.metadata, namespace: ns, name };
      return kube.resource(Core.Pod).create(pod, { dryRun: true });
    };
    expect(JSON.stringify((await dryRun({}, 'dry-push')).spec)).toContain('secretKeyRef');
    const accepted = await dryRun({ event: 'pull_request', fromFork: true }, 'dry-fork');
    const affinity = (accepted.spec as { affinity?: { nodeAffinity?: { preferredDuringSchedulingIgnoredDuringExecution?: unknown[] } } }).affinity;
    expect(affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length).toBeGreaterThan(0);
    expect(JSON.stringify(accepted.spec)).not.toContain('secretKeyRef');
  });
});
