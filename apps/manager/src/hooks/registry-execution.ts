// The PipelineExecution an image push makes: the pipeline's `.devops.yml` at the tip of
// `triggers.imagePush.branch` (the execution controller resolves the commit, as for any webhook run without
// one), event `image`, and the pushed image in the title and message. Its name comes from the pipeline, the
// repository and the manifest digest: the same manifest pushed again, under any tag or event id, finds the
// execution that exists instead of making a second.
import type { Pipeline } from '@keelson/crds';
import { labelValue } from '@keelson/engine-jenkins';
import { Keelson, type ObjectOf } from '@keelson/kube';
import { imageSemanticDigest, type ImagePushEvent } from '@keelson/webhooks';
import { JENKINS_JOB_FINALIZER, PIPELINE_LABEL, pipelineLabelValue } from '../executions/execution-creator.service';
import { DELIVERY_LABEL } from './webhook-execution';

export const DEFAULT_IMAGE_PUSH_BRANCH = 'main';

type Execution = ObjectOf<typeof Keelson.PipelineExecution>;

/** `<pipeline>-<10 characters of a digest of (pipeline uid, repository, manifest digest)>`. */
export function imageExecutionName(pipeline: Pipeline, event: Pick<ImagePushEvent, 'repository' | 'digest'>): string {
  return `${pipeline.metadata.name!.slice(0, 242)}-${imageSemanticDigest(event, pipeline.metadata.uid ?? '')}`;
}

export function imageExecution(pipeline: Pipeline, event: ImagePushEvent): Execution {
  const pipelineName = pipeline.metadata.name!;
  const branch = pipeline.spec.triggers?.imagePush?.branch || DEFAULT_IMAGE_PUSH_BRANCH;
  return {
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution',
    metadata: {
      name: imageExecutionName(pipeline, event), namespace: pipeline.metadata.namespace,
      labels: { [PIPELINE_LABEL]: pipelineLabelValue(pipelineName), [DELIVERY_LABEL]: labelValue(event.id) },
      finalizers: [JENKINS_JOB_FINALIZER],
      ownerReferences: [{ apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', name: pipelineName, uid: pipeline.metadata.uid! }],
    },
    spec: {
      pipelineRef: { name: pipelineName }, stop: false, fork: false,
      trigger: { event: 'image', deliveryId: event.id },
      repositoryUrl: pipeline.spec.repositoryUrl, ref: `refs/heads/${branch}`, branch,
      title: `image ${event.repository}:${event.tag} pushed`,
      message: `${event.repository}:${event.tag}@${event.digest}`,
    },
  } as Execution;
}
