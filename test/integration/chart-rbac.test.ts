// The chart's RBAC, as rendered: no wildcard, no escalate or impersonate, `bind` only on the three named roles the
// manager binds, the Lease and the OAuth state Secret by name, Secrets of projects bound cluster-wide or only in the
// listed namespaces, and the deploy role the same as the data plane's own (so a chart install and local mode give
// deploy steps the same rights). test/integration/rbac-proof.test.ts proves the rules are enough and all needed.
import { desiredDeployClusterRole } from '@keelson/data-plane';
import { grantKey, grantsOf, roleId, type PolicyRule, type RbacObject } from '../harness/rbac-usage';
import { renderChartRbac } from '../support/chart-rbac';

const find = (objects: RbacObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
};

/** A rule set as sorted grant keys, so two spellings of the same rights compare equal. */
const rightsOf = (rules: PolicyRule[]) => grantsOf({ kind: 'ClusterRole', metadata: { name: 'x' }, rules }).map(grantKey).sort();

describe('the chart RBAC', () => {
  let objects: RbacObject[];
  beforeAll(async () => {
    ({ objects } = await renderChartRbac({ release: 'ci', set: { 'serviceAccount.name': 'keelson-manager' } }));
  });

  it('names every object after the release and binds only the manager ServiceAccount of the release namespace', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort()).toEqual([
      'ClusterRole//ci-keelson-builds', 'ClusterRole//ci-keelson-data-plane', 'ClusterRole//ci-keelson-deploy', 'ClusterRole//ci-keelson-manager',
      'ClusterRole//ci-keelson-project-secrets', 'ClusterRoleBinding//ci-keelson-manager', 'ClusterRoleBinding//ci-keelson-project-secrets',
      'Role/keelson-system/ci-keelson-manager', 'RoleBinding/keelson-system/ci-keelson-manager',
    ]);
    for (const b of objects.filter((o) => o.kind.endsWith('Binding'))) {
      expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: 'keelson-manager', namespace: 'keelson-system' }]);
    }
  });

  it('has no wildcard, and no escalate, impersonate or nonResourceURLs anywhere', () => {
    const roles = objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role');
    // grantsOf throws on a wildcard or a non-resource URL.
    const grants = roles.flatMap((r) => grantsOf(r));
    expect(grants.length).toBeGreaterThan(50);
    expect(grants.filter((g) => ['escalate', 'impersonate', '*'].includes(g.verb))).toEqual([]);
  });

  it('binds only the three roles the manager binds, by name', () => {
    const binds = objects.flatMap((o) => grantsOf(o).filter((g) => g.verb === 'bind'));
    expect(binds.map((g) => `${roleId(o(g.role))} ${g.resource} ${g.name}`)).toEqual([
      'ClusterRole/ci-keelson-manager clusterroles ci-keelson-deploy', 'ClusterRole/ci-keelson-manager clusterroles ci-keelson-data-plane',
      'ClusterRole/ci-keelson-manager clusterroles ci-keelson-builds',
    ]);
    function o(role: string): RbacObject {
      return objects.find((x) => roleId(x) === role)!;
    }
  });

  it('scopes the Lease to keelson-controllers (create alone unnamed) and the OAuth state Secret by name, in the release namespace', () => {
    const role = find(objects, 'Role', 'ci-keelson-manager');
    expect(role.metadata.namespace).toBe('keelson-system');
    expect(grantsOf(role).map(grantKey)).toEqual([
      'Role/keelson-system/ci-keelson-manager coordination.k8s.io leases get keelson-controllers',
      'Role/keelson-system/ci-keelson-manager coordination.k8s.io leases update keelson-controllers',
      'Role/keelson-system/ci-keelson-manager coordination.k8s.io leases create',
      'Role/keelson-system/ci-keelson-manager core secrets get keelson-oauth-state',
      'Role/keelson-system/ci-keelson-manager core secrets create',
    ]);
    // Nothing cluster-wide on leases.
    expect(objects.filter((o) => o.kind === 'ClusterRole').flatMap((o) => grantsOf(o)).filter((g) => g.resource === 'leases')).toEqual([]);
  });

  it('gives Secrets cluster-wide only through the project-secrets role; the data-plane roles are bound by nobody in the chart', () => {
    const clusterBound = objects.filter((o) => o.kind === 'ClusterRoleBinding').map((b) => b.roleRef!.name).sort();
    expect(clusterBound).toEqual(['ci-keelson-manager', 'ci-keelson-project-secrets']);
    expect(grantsOf(find(objects, 'ClusterRole', 'ci-keelson-manager')).filter((g) => g.resource === 'secrets')).toEqual([]);
    // Delete only by name: the registry proxy's pull Secret, removed where its project no longer deploys.
    expect(grantsOf(find(objects, 'ClusterRole', 'ci-keelson-project-secrets')).map((g) => [g.verb, g.name ?? '*']))
      .toEqual([['get', '*'], ['create', '*'], ['update', '*'], ['patch', '*'], ['delete', 'keelson-registry-pull']]);
  });

  it('binds the project Secrets only in rbac.projectNamespaces when it is set', async () => {
    const scoped = (await renderChartRbac({ release: 'ci', set: { 'rbac.projectNamespaces': '{team-a,team-b}' } })).objects;
    expect(scoped.filter((o) => o.kind === 'ClusterRoleBinding').map((b) => b.metadata.name)).toEqual(['ci-keelson-manager']);
    expect(scoped.filter((o) => o.kind === 'RoleBinding' && o.roleRef?.name === 'ci-keelson-project-secrets').map((b) => b.metadata.namespace)).toEqual(['team-a', 'team-b']);
  });

  it('renders nothing with rbac.create false', async () => {
    // helm refuses --show-only of a template that renders nothing.
    await expect(renderChartRbac({ set: { 'rbac.create': 'false' } })).rejects.toThrow(/could not find template templates\/rbac\.yaml/);
  });

  it('installs the admission policy for the manager\'s identity by default, and not with rbac.admissionPolicy false', async () => {
    const templates = ['templates/rbac-admission-policy.yaml'];
    const policy = (await renderChartRbac({ release: 'ci', templates, set: { 'serviceAccount.name': 'keelson-manager' } })).objects;
    expect(policy.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['ValidatingAdmissionPolicy/ci-keelson-manager-rbac', 'ValidatingAdmissionPolicyBinding/ci-keelson-manager-rbac']);
    expect(JSON.stringify(policy[0])).toContain("request.userInfo.username == 'system:serviceaccount:keelson-system:keelson-manager'");
    await expect(renderChartRbac({ templates, set: { 'rbac.admissionPolicy': 'false' } })).rejects.toThrow(/could not find template/);
  });

  it('gives deploy steps exactly the rights of the data plane\'s keelson-deploy', () => {
    expect(rightsOf(find(objects, 'ClusterRole', 'ci-keelson-deploy').rules!)).toEqual(rightsOf(desiredDeployClusterRole().rules as PolicyRule[]));
  });
});
