// Deleting one execution's logs from its project's MinIO: every object under `<namespace>/<pipeline>/<run>/` that
// carries its uid (or no uid at all). An object of another execution with the same pipeline and run (the Pipeline
// was deleted and made again) is left to its own execution.
import type { PipelineExecution } from '@keelson/crds';
import { executionPrefix } from '@keelson/logs';
import type { ProjectLogObjects } from './project-log-objects';

export class ExecutionLogsCleaner {
  constructor(private readonly projects: ProjectLogObjects) {}

  /** How many objects went; 0 when the project has no MinIO or the execution never had a run number. */
  async deleteLogs(exe: PipelineExecution): Promise<number> {
    const namespace = exe.metadata.namespace!;
    if (exe.spec.run === undefined) return 0;
    const objects = await this.projects.forProject(namespace);
    if (!objects) return 0;
    const keys: string[] = [];
    for await (const object of objects.list(executionPrefix({ namespace, pipeline: exe.spec.pipelineRef.name, run: exe.spec.run }))) {
      if (object.executionUid === undefined || object.executionUid === exe.metadata.uid) keys.push(object.key);
    }
    return keys.length ? objects.remove(keys) : 0;
  }
}
