// The double's instances answer as the admin that the data plane generated for them: the same Secret
// (`<instance namespace>/jenkins-admin`, keys username and password) the manager reads.
import { Core, KubeClient } from '@keelson/kube';
import type { JenkinsUser } from '../http/auth';

export function credentialsFromSecret(kube: KubeClient, secretName = 'jenkins-admin'): (instance: string) => Promise<JenkinsUser> {
  return async (instance) => {
    const secret = (await kube.resource(Core.Secret).get(instance, secretName)) as { data?: Record<string, string> };
    const decode = (key: string) => Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');
    return { username: decode('username'), password: decode('password') };
  };
}
