// The one write of a webhook intake: create the execution under its event-derived name. `AlreadyExists` is the
// answer to a redelivery, a concurrent duplicate or a retry after a crash, never an error.
import { isAlreadyExists, Keelson, KubeClient, type ObjectOf } from '@keelson/kube';

export async function createOnce(kube: KubeClient, exe: ObjectOf<typeof Keelson.PipelineExecution>): Promise<'created' | 'duplicate'> {
  try {
    await kube.resource(Keelson.PipelineExecution).create(exe);
    return 'created';
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    return 'duplicate';
  }
}
