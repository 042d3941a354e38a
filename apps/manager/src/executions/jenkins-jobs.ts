// Deleting an execution's Jenkins job, and the git credential made for its checkout, wherever its project's Jenkins is.
import { DataPlaneError } from '@keelson/data-plane';
import type { EngineEndpoint, ExecutionEngine } from '@keelson/engine-jenkins';

export class JenkinsJobs {
  constructor(
    private readonly engine: ExecutionEngine,
    private readonly dataPlanes: { jenkins(project: string): Promise<EngineEndpoint> },
  ) {}

  /** The job first (it aborts a build still running), then the credential (`credentialId`, absent or gone is fine). */
  async deleteJob(project: string, job: string, credentialId?: string): Promise<void> {
    let endpoint: EngineEndpoint;
    try {
      endpoint = await this.dataPlanes.jenkins(project);
    } catch (err) {
      // Never provisioned: there is no Jenkins, so there is no job to delete.
      if (err instanceof DataPlaneError && err.code === 'CredentialsMissing') return;
      throw err;
    }
    await this.engine.deleteJob(endpoint, job);
    if (credentialId) await this.engine.deleteCredential(endpoint, credentialId);
  }
}
