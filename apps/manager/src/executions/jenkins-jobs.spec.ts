import { DataPlaneError } from '@keelson/data-plane';
import type { EngineEndpoint, ExecutionEngine } from '@keelson/engine-jenkins';
import { JenkinsJobs } from './jenkins-jobs';

const ENDPOINT: EngineEndpoint = { url: 'http://jenkins.team-a-pipeline:8080', username: 'keelson', password: 'not-a-secret' };

function recordingEngine(calls: string[]): ExecutionEngine {
  return {
    deleteJob: async (_e: EngineEndpoint, job: string) => void calls.push(`job ${job}`),
    deleteCredential: async (_e: EngineEndpoint, id: string) => void calls.push(`credential ${id}`),
  } as unknown as ExecutionEngine;
}

describe('JenkinsJobs', () => {
  it('deletes the execution\'s job, then the credential made for its checkout', async () => {
    const calls: string[] = [];
    await new JenkinsJobs(recordingEngine(calls), { jenkins: async () => ENDPOINT }).deleteJob('team-a', 'web-12', 'web-12-git');
    expect(calls).toEqual(['job web-12', 'credential web-12-git']);
  });

  it('deletes only the job when no credential is named', async () => {
    const calls: string[] = [];
    await new JenkinsJobs(recordingEngine(calls), { jenkins: async () => ENDPOINT }).deleteJob('team-a', 'web-12');
    expect(calls).toEqual(['job web-12']);
  });

  it('does nothing for a project whose Jenkins was never provisioned', async () => {
    const calls: string[] = [];
    const missing = { jenkins: async () => { throw new DataPlaneError('CredentialsMissing', 'no admin Secret'); } };
    await new JenkinsJobs(recordingEngine(calls), missing).deleteJob('team-a', 'web-12', 'web-12-git');
    expect(calls).toEqual([]);
  });
});
