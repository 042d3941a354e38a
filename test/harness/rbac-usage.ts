// Which of a ServiceAccount's RBAC grants its requests used, from the apiserver's audit log (JSON lines, level
// Metadata). The RBAC-proof test runs the manager with exactly the chart's rules and fails on a grant nobody used
// (unless an allowlist entry says which path needs it) and on any request the apiserver refused.

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface RbacObject {
  kind: string;
  metadata: { name: string; namespace?: string; managedFields?: Array<{ manager?: string }> };
  rules?: PolicyRule[];
  roleRef?: { kind: string; name: string };
  subjects?: Array<{ kind: string; name: string; namespace?: string }>;
}

/** One permission as the diff counts it: one verb on one resource (`pods/exec` for a subresource), maybe one name. */
export interface Grant {
  /** `ClusterRole/<name>` or `Role/<namespace>/<name>`. */
  role: string;
  apiGroup: string;
  resource: string;
  verb: string;
  name?: string;
}

export interface AuditEvent {
  stage?: string;
  verb: string;
  user: { username: string; groups?: string[] };
  requestURI?: string;
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string; apiGroup?: string };
  responseStatus?: { code?: number };
}

/** A request as authorised: the verb RBAC checked, on what, where. */
export interface Request {
  verb: string;
  apiGroup: string;
  resource: string;
  namespace?: string;
  name?: string;
  code: number;
  uri?: string;
}

/** Where a role applies for the subject: everywhere (a ClusterRoleBinding) or in these namespaces (RoleBindings). */
export type Scope = { cluster: true } | { cluster: false; namespaces: Set<string> };

export function grantKey(g: Grant): string {
  return `${g.role} ${g.apiGroup || 'core'} ${g.resource} ${g.verb}${g.name ? ` ${g.name}` : ''}`;
}

export function roleId(obj: RbacObject): string {
  return obj.kind === 'Role' ? `Role/${obj.metadata.namespace}/${obj.metadata.name}` : `ClusterRole/${obj.metadata.name}`;
}

/** Every grant of a role; a wildcard is refused, since the chart must have none. */
export function grantsOf(role: RbacObject): Grant[] {
  const out: Grant[] = [];
  for (const rule of role.rules ?? []) {
    if (rule.nonResourceURLs?.length) throw new Error(`${roleId(role)}: nonResourceURLs ${rule.nonResourceURLs.join(',')} are not expected`);
    for (const field of [rule.apiGroups, rule.resources, rule.verbs, rule.resourceNames]) {
      if (field?.some((v) => v === '*' || v.includes('*'))) throw new Error(`${roleId(role)}: wildcard in ${JSON.stringify(rule)}`);
    }
    for (const apiGroup of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        for (const verb of rule.verbs) {
          const names = rule.resourceNames?.length ? rule.resourceNames : [undefined];
          for (const name of names) out.push({ role: roleId(role), apiGroup, resource, verb, ...(name !== undefined && { name }) });
        }
      }
    }
  }
  return out;
}

/**
 * The requests of one user (in `group` when given), from audit events (ResponseComplete, or Panic). A patch or update answered 201 created
 * the object, which RBAC authorised as a `create` as well.
 */
export function requestsOf(events: AuditEvent[], username: string, group?: string): Request[] {
  const out: Request[] = [];
  for (const e of events) {
    if (e.user?.username !== username || (e.stage && e.stage !== 'ResponseComplete' && e.stage !== 'Panic')) continue;
    // A static token may carry the same user name (the harness's manager identity): only the token's group tells.
    if (group !== undefined && !e.user.groups?.includes(group)) continue;
    const ref = e.objectRef;
    const code = e.responseStatus?.code ?? 0;
    const base = {
      apiGroup: ref?.apiGroup ?? '', resource: ref?.resource ? (ref.subresource ? `${ref.resource}/${ref.subresource}` : ref.resource) : '',
      ...(ref?.namespace && { namespace: ref.namespace }), ...(ref?.name && { name: ref.name }), code, ...(e.requestURI && { uri: e.requestURI }),
    };
    out.push({ verb: e.verb, ...base });
    if ((e.verb === 'patch' || e.verb === 'update') && code === 201) out.push({ verb: 'create', ...base });
  }
  return out;
}

export function parseAuditLog(text: string): AuditEvent[] {
  return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as AuditEvent);
}

function inScope(scope: Scope | undefined, namespace: string | undefined): boolean {
  if (!scope) return false;
  if (scope.cluster) return true;
  return namespace !== undefined && scope.namespaces.has(namespace);
}

/** Where each role is bound for the subject `system:serviceaccount:<namespace>:<name>`. */
export function scopesOf(bindings: RbacObject[], sa: { namespace: string; name: string }): Map<string, Scope> {
  const scopes = new Map<string, Scope>();
  for (const b of bindings) {
    const bound = b.subjects?.some((s) => s.kind === 'ServiceAccount' && s.name === sa.name && s.namespace === sa.namespace);
    if (!bound || !b.roleRef) continue;
    const role = b.roleRef.kind === 'Role' ? `Role/${b.metadata.namespace}/${b.roleRef.name}` : `ClusterRole/${b.roleRef.name}`;
    if (b.kind === 'ClusterRoleBinding') {
      scopes.set(role, { cluster: true });
      continue;
    }
    const current = scopes.get(role);
    if (current?.cluster) continue;
    const namespaces = current && !current.cluster ? current.namespaces : new Set<string>();
    namespaces.add(b.metadata.namespace!);
    scopes.set(role, { cluster: false, namespaces });
  }
  return scopes;
}

function ruleCovers(rule: PolicyRule, g: { apiGroup: string; resource: string; verb: string; name?: string }): boolean {
  return (rule.apiGroups ?? []).includes(g.apiGroup) && (rule.resources ?? []).includes(g.resource) && rule.verbs.includes(g.verb)
    && (!rule.resourceNames?.length || (g.name !== undefined && rule.resourceNames.includes(g.name)));
}

export interface UsageReport {
  /** Grant key -> why it counts as used (the first request, binding or delegated Role that needed it). */
  used: Map<string, string>;
  unused: Grant[];
  /** Requests the apiserver refused (403). */
  forbidden: Request[];
  /** Grants of roles that are not bound to the subject at all. */
  unbound: string[];
}

/**
 * Diffs the grants of `roles` against what the subject did:
 * - a request uses every grant whose role is bound where it happened and whose rule matches it;
 * - `bind` on a ClusterRole is used by a RoleBinding the subject wrote (field manager `writer`) that refers to it;
 * - a grant is used by delegation when a Role the subject wrote grants the same right in a namespace where the
 *   grant applies (RBAC lets one write a Role only with every right it gives, short of `escalate`).
 */
export function diffUsage(input: {
  roles: RbacObject[]; bindings: RbacObject[]; subject: { namespace: string; name: string }; writer: string;
  requests: Request[]; written: RbacObject[];
}): UsageReport {
  const scopes = scopesOf(input.bindings, input.subject);
  const used = new Map<string, string>();
  const unused: Grant[] = [];
  const unbound: string[] = [];
  const mine = input.written.filter((o) => o.metadata.managedFields?.some((f) => f.manager === input.writer));
  for (const role of input.roles) {
    const id = roleId(role);
    const scope = scopes.get(id);
    if (!scope) unbound.push(id);
    for (const g of grantsOf(role)) {
      const key = grantKey(g);
      const request = input.requests.find((r) => r.code !== 403 && inScope(scope, r.namespace)
        && r.apiGroup === g.apiGroup && r.resource === g.resource && r.verb === g.verb && (g.name === undefined || r.name === g.name));
      if (request) {
        used.set(key, `${request.verb} ${request.uri ?? request.resource}`);
        continue;
      }
      if (g.verb === 'bind' && g.resource === 'clusterroles' && g.apiGroup === 'rbac.authorization.k8s.io') {
        const binding = mine.find((o) => (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') && o.roleRef?.kind === 'ClusterRole'
          && o.roleRef.name === g.name && inScope(scope, o.metadata.namespace));
        if (binding) {
          used.set(key, `bind by ${binding.kind} ${binding.metadata.namespace ?? ''}/${binding.metadata.name}`);
          continue;
        }
      }
      const delegated = mine.find((o) => o.kind === 'Role' && inScope(scope, o.metadata.namespace) && (o.rules ?? []).some((rule) => ruleCovers(rule, g)));
      if (delegated) {
        used.set(key, `delegated in Role ${delegated.metadata.namespace}/${delegated.metadata.name}`);
        continue;
      }
      unused.push(g);
    }
  }
  return { used, unused, forbidden: input.requests.filter((r) => r.code === 403), unbound };
}
