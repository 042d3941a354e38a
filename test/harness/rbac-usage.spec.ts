import { diffUsage, grantKey, grantsOf, parseAuditLog, requestsOf, type RbacObject } from './rbac-usage';

const SA = { namespace: 'keelson-system', name: 'keelson' };
const USER = 'system:serviceaccount:keelson-system:keelson';
const subjects = [{ kind: 'ServiceAccount', ...SA }];

const clusterRole: RbacObject = {
  kind: 'ClusterRole', metadata: { name: 'm' },
  rules: [
    { apiGroups: [''], resources: ['namespaces'], verbs: ['create', 'patch'] },
    { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'], resourceNames: ['d', 'unused-role'] },
  ],
};
const nsRole: RbacObject = {
  kind: 'ClusterRole', metadata: { name: 'b' },
  rules: [{ apiGroups: [''], resources: ['pods', 'pods/exec'], verbs: ['list', 'create'] }],
};
const lease: RbacObject = {
  kind: 'Role', metadata: { name: 'l', namespace: 'keelson-system' },
  rules: [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get'], resourceNames: ['keelson-controllers'] }],
};
const bindings: RbacObject[] = [
  { kind: 'ClusterRoleBinding', metadata: { name: 'm' }, roleRef: { kind: 'ClusterRole', name: 'm' }, subjects },
  { kind: 'RoleBinding', metadata: { name: 'x', namespace: 'p-builds' }, roleRef: { kind: 'ClusterRole', name: 'b' }, subjects },
  { kind: 'RoleBinding', metadata: { name: 'l', namespace: 'keelson-system' }, roleRef: { kind: 'Role', name: 'l' }, subjects },
];

function event(verb: string, resource: string, extra: { namespace?: string; name?: string; code?: number; user?: string; subresource?: string; apiGroup?: string } = {}): string {
  return JSON.stringify({
    stage: 'ResponseComplete', verb, user: { username: extra.user ?? USER }, requestURI: `/x/${resource}`,
    objectRef: { resource, ...(extra.subresource && { subresource: extra.subresource }), ...(extra.namespace && { namespace: extra.namespace }), ...(extra.name && { name: extra.name }), ...(extra.apiGroup && { apiGroup: extra.apiGroup }) },
    responseStatus: { code: extra.code ?? 200 },
  });
}

describe('grantsOf', () => {
  it('expands rules into one grant per group, resource, verb and name', () => {
    expect(grantsOf(clusterRole).map(grantKey)).toEqual([
      'ClusterRole/m core namespaces create', 'ClusterRole/m core namespaces patch',
      'ClusterRole/m rbac.authorization.k8s.io clusterroles bind d', 'ClusterRole/m rbac.authorization.k8s.io clusterroles bind unused-role',
    ]);
  });

  it('refuses a wildcard anywhere', () => {
    expect(() => grantsOf({ kind: 'ClusterRole', metadata: { name: 'w' }, rules: [{ apiGroups: [''], resources: ['*'], verbs: ['get'] }] })).toThrow(/wildcard/);
    expect(() => grantsOf({ kind: 'ClusterRole', metadata: { name: 'w' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['*'] }] })).toThrow(/wildcard/);
  });
});

describe('diffUsage', () => {
  const log = [
    // An apply that created the namespace: patch answered 201 counts as create too.
    event('patch', 'namespaces', { name: 'p-builds', code: 201 }),
    event('list', 'pods', { namespace: 'p-builds' }),
    // Outside the RoleBinding's namespace: uses nothing.
    event('create', 'pods', { namespace: 'elsewhere', subresource: 'exec', code: 403 }),
    event('get', 'leases', { namespace: 'keelson-system', name: 'keelson-controllers', apiGroup: 'coordination.k8s.io', code: 404 }),
    // Someone else's request does not count.
    event('create', 'pods', { namespace: 'p-builds', user: 'admin' }),
  ].join('\n');
  const written: RbacObject[] = [
    { kind: 'RoleBinding', metadata: { name: 'k', namespace: 'p', managedFields: [{ manager: 'keelson' }] }, roleRef: { kind: 'ClusterRole', name: 'd' } },
    // Written by the harness, not the subject: no bind is used by it.
    { kind: 'RoleBinding', metadata: { name: 'h', namespace: 'p', managedFields: [{ manager: 'kubectl' }] }, roleRef: { kind: 'ClusterRole', name: 'unused-role' } },
    { kind: 'Role', metadata: { name: 'agents', namespace: 'p-builds', managedFields: [{ manager: 'keelson' }] }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['create'] }] },
  ];
  const report = diffUsage({
    roles: [clusterRole, nsRole, lease], bindings, subject: SA, writer: 'keelson', requests: requestsOf(parseAuditLog(log), USER), written,
  });

  it('counts requests, binds of roles the subject bound, and rights it delegated in a Role it wrote', () => {
    expect([...report.used.keys()].sort()).toEqual([
      'ClusterRole/b core pods create', 'ClusterRole/b core pods list',
      'ClusterRole/m core namespaces create', 'ClusterRole/m core namespaces patch',
      'ClusterRole/m rbac.authorization.k8s.io clusterroles bind d',
      'Role/keelson-system/l coordination.k8s.io leases get keelson-controllers',
    ]);
    expect(report.used.get('ClusterRole/b core pods create')).toBe('delegated in Role p-builds/agents');
  });

  it('lists what nobody used, and every refused request', () => {
    expect(report.unused.map(grantKey)).toEqual([
      'ClusterRole/m rbac.authorization.k8s.io clusterroles bind unused-role',
      'ClusterRole/b core pods/exec list', 'ClusterRole/b core pods/exec create',
    ]);
    expect(report.forbidden).toEqual([expect.objectContaining({ verb: 'create', resource: 'pods/exec', namespace: 'elsewhere', code: 403 })]);
    expect(report.unbound).toEqual([]);
  });

  it('keeps only the requests of a token in the given group', () => {
    const line = (groups: string[]) => JSON.stringify({ stage: 'ResponseComplete', verb: 'get', user: { username: USER, groups }, objectRef: { resource: 'pods' }, responseStatus: { code: 200 } });
    const events = parseAuditLog([line(['system:masters']), line(['system:serviceaccounts', 'system:authenticated'])].join('\n'));
    expect(requestsOf(events, USER)).toHaveLength(2);
    expect(requestsOf(events, USER, 'system:serviceaccounts')).toHaveLength(1);
  });

  it('names a role bound to nobody', () => {
    const lonely: RbacObject = { kind: 'ClusterRole', metadata: { name: 'lonely' }, rules: [] };
    expect(diffUsage({ roles: [lonely], bindings, subject: SA, writer: 'keelson', requests: [], written: [] }).unbound).toEqual(['ClusterRole/lonely']);
  });
});
