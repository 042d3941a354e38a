// The PipelineExecution a webhook event makes: everything the event says, so no git call is needed to create
// it, under a name derived from the event's semantic key, so a redelivery, a concurrent duplicate or a retry
// after a crash finds the one that exists instead of making a second. The execution controller completes it
// (run number, `.devops.yml` at the commit) like any other.
import type { Pipeline } from '@keelson/crds';
import { Keelson, type ObjectOf } from '@keelson/kube';
import { labelValue } from '@keelson/engine-jenkins';
import { semanticDigest, type RunEvent } from '@keelson/webhooks';
import { JENKINS_JOB_FINALIZER, PIPELINE_LABEL, pipelineLabelValue } from '../executions/execution-creator.service';

/** On executions a webhook made: the delivery id, hashed to a label value, for finding them by delivery. */
export const DELIVERY_LABEL = 'keelson.dev/delivery';

const HTTP_URL = /^https?:\/\//;
const cap = (text: string | undefined, max: number) => (text === undefined ? undefined : text.slice(0, max));
const link = (url: string | undefined) => (url !== undefined && HTTP_URL.test(url) && url.length <= 2048 ? url : undefined);

/** `<pipeline>-<10 characters of the semantic key's digest>`: within the 253 characters of a name. */
export function webhookExecutionName(pipeline: Pipeline, event: RunEvent): string {
  return `${pipeline.metadata.name!.slice(0, 242)}-${semanticDigest(event, pipeline.metadata.uid ?? '')}`;
}

type Execution = ObjectOf<typeof Keelson.PipelineExecution>;

export function webhookExecution(pipeline: Pipeline, event: RunEvent, deliveryId: string): Execution {
  const pipelineName = pipeline.metadata.name!;
  const fork = event.pullRequest?.fork ?? false;
  // A fork's commit is fetched from the fork, without the pipeline's credential (ADR 0004).
  const repositoryUrl = fork ? event.pullRequest!.source.cloneUrl! : pipeline.spec.repositoryUrl;
  const author = event.author && {
    name: cap(event.author.name, 256), email: cap(event.author.email, 256), avatarUrl: link(event.author.avatarUrl),
  };
  return {
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution',
    metadata: {
      name: webhookExecutionName(pipeline, event), namespace: pipeline.metadata.namespace,
      labels: { [PIPELINE_LABEL]: pipelineLabelValue(pipelineName), [DELIVERY_LABEL]: labelValue(deliveryId) },
      finalizers: [JENKINS_JOB_FINALIZER],
      ownerReferences: [{ apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', name: pipelineName, uid: pipeline.metadata.uid! }],
    },
    spec: {
      pipelineRef: { name: pipelineName }, stop: false, fork,
      trigger: { event: event.kind, deliveryId: deliveryId.slice(0, 256) },
      repositoryUrl, ref: event.ref,
      ...(event.commit && { commit: event.commit }),
      // Rancher's rule, which `.devops.yml` branch conditions follow: a pull request runs as its target branch.
      ...(event.kind === 'push' && { branch: event.branch }),
      ...(event.kind === 'pull_request' && { branch: event.pullRequest!.targetBranch }),
      ...(event.kind === 'tag' && { tag: event.tag }),
      ...(author && { author }),
      ...(event.title !== undefined && { title: cap(event.title, 1024) }),
      ...(event.message !== undefined && { message: cap(event.message, 65536) }),
      ...(link(event.htmlUrl) && { htmlUrl: link(event.htmlUrl) }),
    },
  } as Execution;
}
