// The ValidatingAdmissionPolicy that lets only the manager decide what an execution runs (ADR 0004). It runs in the
// apiserver, so it holds while the manager is down or wrong. Anyone else (a tenant, even a cluster admin) may
// create an execution naming a pipeline and a branch or commit, stop it, and nothing more; the manager fills in
// the rest from the Pipeline and from git.
import { GROUP } from './schema-types';
import { PipelineExecutionSpec } from './kinds/pipeline-execution';

/** The manager's identity in a cluster installed with the default namespace and ServiceAccount. */
export const DEFAULT_MANAGER_USERNAME = 'system:serviceaccount:keelson-system:keelson-manager';

export const EXECUTION_ADMISSION_POLICY = 'keelson-pipelineexecutions';

/** What a requester other than the manager may put in a new execution's spec. */
export const REQUESTER_FIELDS = ['pipelineRef', 'branch', 'commit', 'stop', 'fork', 'trigger'] as const;

/** How Keelson sets the fields a requester may not: the end of "spec.<field> is set by Keelson ...". */
const SET_BY_KEELSON: Record<string, string> = {
  repositoryUrl: 'from the Pipeline',
  configPath: 'from the Pipeline',
  config: 'from the pipeline file at the commit',
  run: 'from the run counter of the Pipeline',
  ref: 'from the branch',
  tag: 'from the webhook event',
  author: 'from the commit',
  title: 'from the commit',
  message: 'from the commit',
  htmlUrl: 'from the webhook event',
};

const HOW_TO_RUN = 'create an execution with pipelineRef and a branch or commit';

/** A single-quoted CEL string literal. */
function cel(value: string): string {
  return `'${value.replace(/[\\']/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`;
}

function celList(values: readonly string[]): string {
  return `[${values.map(cel).join(', ')}]`;
}

function celMap(entries: Record<string, string>): string {
  return `{${Object.entries(entries).map(([k, v]) => `${cel(k)}: ${cel(v)}`).join(', ')}}`;
}

/**
 * The policy and its binding. `managerUsername` is the manager's `request.userInfo.username`; the Helm chart
 * renders it for the namespace and ServiceAccount it installs the manager with.
 */
export function executionAdmissionPolicy(managerUsername = DEFAULT_MANAGER_USERNAME): Array<Record<string, unknown>> {
  // From the schema, in its order, so that refusals name fields in a stable order and a new field is the
  // manager's until someone decides otherwise.
  const specFields = Object.keys(PipelineExecutionSpec.properties);
  const managerFields = specFields.filter((f) => !(REQUESTER_FIELDS as readonly string[]).includes(f));
  const immutableFields = specFields.filter((f) => f !== 'stop');
  const onCreate = (rule: string) => `request.operation != 'CREATE' || ${rule}`;
  const onSpecUpdate = (rule: string) => `request.operation != 'UPDATE' || variables.isStatus || ${rule}`;
  const trigger = (rule: string) => onCreate(`!has(object.spec.trigger) || ${rule}`);

  const policy = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: EXECUTION_ADMISSION_POLICY },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: [{
          apiGroups: [GROUP], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'],
          resources: ['pipelineexecutions', 'pipelineexecutions/status'],
        }],
      },
      matchConditions: [{ name: 'not-the-manager', expression: `request.userInfo.username != ${cel(managerUsername)}` }],
      variables: [
        // The request leaves subResource out when there is none.
        { name: 'isStatus', expression: `has(request.subResource) && request.subResource == 'status'` },
        { name: 'specFields', expression: celList(specFields) },
        { name: 'setByKeelson', expression: celMap(SET_BY_KEELSON) },
        {
          // Spec fields of a new execution that only the manager may set (fields unknown here included).
          name: 'managerFields',
          expression: `request.operation != 'CREATE' ? [] : ${celList(managerFields)}.filter(f, f in object.spec)`
            + ' + object.spec.filter(f, !(f in variables.specFields))',
        },
        {
          // Spec fields an update changed, stop aside.
          name: 'changedFields',
          expression: `request.operation != 'UPDATE' || variables.isStatus ? [] : `
            + `${celList(immutableFields)}.filter(f, (f in object.spec) != (f in oldObject.spec) || (f in object.spec && object.spec[f] != oldObject.spec[f]))`
            + ' + object.spec.filter(f, !(f in variables.specFields) && (!(f in oldObject.spec) || object.spec[f] != oldObject.spec[f]))'
            + ' + oldObject.spec.filter(f, !(f in variables.specFields) && !(f in object.spec))',
        },
      ],
      validations: [
        {
          expression: '!variables.isStatus',
          message: 'status is written by Keelson only; set spec.stop to true to stop an execution',
          reason: 'Forbidden',
        },
        {
          expression: 'size(variables.managerFields) == 0',
          messageExpression: `'spec.' + variables.managerFields[0] + ' is set by Keelson'`
            + ` + (variables.managerFields[0] in variables.setByKeelson ? ' ' + variables.setByKeelson[variables.managerFields[0]] : '')`
            + ` + ${cel(`; ${HOW_TO_RUN}`)}`,
          reason: 'Forbidden',
        },
        {
          expression: onCreate('!has(object.spec.fork) || object.spec.fork == false'),
          message: `spec.fork is set by Keelson for pull requests from forks; ${HOW_TO_RUN}, and fork false or left out`,
          reason: 'Forbidden',
        },
        {
          expression: trigger(`object.spec.trigger.event == 'manual'`),
          message: 'spec.trigger.event is set by Keelson for webhook runs; an execution you create is a manual run (event: manual)',
          reason: 'Forbidden',
        },
        {
          expression: trigger('!has(object.spec.trigger.deliveryId)'),
          message: 'spec.trigger.deliveryId is set by Keelson for webhook deliveries; leave it out',
          reason: 'Forbidden',
        },
        {
          expression: trigger('!has(object.spec.trigger.rerunOf)'),
          message: 'spec.trigger.rerunOf is set by Keelson when it reruns an execution; ask the Keelson API for a rerun instead',
          reason: 'Forbidden',
        },
        {
          expression: trigger('!has(object.spec.trigger.user) || object.spec.trigger.user == request.userInfo.username'),
          messageExpression: `'spec.trigger.user records who ran the execution: leave it out or set it to your own name, ' + request.userInfo.username`,
          reason: 'Forbidden',
        },
        {
          expression: onSpecUpdate('size(variables.changedFields) == 0'),
          messageExpression: `'spec.' + variables.changedFields[0] + ' cannot change after the execution was created; only spec.stop may, from false to true'`,
          reason: 'Forbidden',
        },
        {
          expression: onSpecUpdate('!has(oldObject.spec.stop) || !oldObject.spec.stop || (has(object.spec.stop) && object.spec.stop)'),
          message: 'spec.stop cannot go back to false: a stopped execution stays stopped',
          reason: 'Forbidden',
        },
      ],
    },
  };
  const binding = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: EXECUTION_ADMISSION_POLICY },
    spec: { policyName: EXECUTION_ADMISSION_POLICY, validationActions: ['Deny'] },
  };
  return [policy, binding];
}
