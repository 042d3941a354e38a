// The Secret that holds a credential's token: owned by the credential (it goes when the credential goes), its keys
// those ScmAccess reads (accessToken, refreshToken, expiresAt). Written whole, so a token without a refresh token
// does not keep the previous sign-in's.
import type { SourceCodeCredential } from '@keelson/crds';
import { Core, isAlreadyExists, isConflict, KubeClient } from '@keelson/kube';
import type { ScmToken } from '@keelson/scm';
import { TOKEN_KEYS } from '../scm/scm-access';

export const CREDENTIAL_LABEL = 'keelson.dev/credential';

type SecretObject = {
  metadata: { name: string; namespace: string; resourceVersion?: string; labels?: Record<string, string>; ownerReferences?: unknown[] };
  type: string;
  data: Record<string, string>;
};

export function tokenSecret(credential: SourceCodeCredential, token: ScmToken): SecretObject {
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  return {
    metadata: {
      name: credential.spec.tokenSecretRef.name,
      namespace: credential.metadata.namespace!,
      labels: { [CREDENTIAL_LABEL]: credential.metadata.name!, 'app.kubernetes.io/managed-by': 'keelson' },
      ownerReferences: [{ apiVersion: credential.apiVersion, kind: 'SourceCodeCredential', name: credential.metadata.name!, uid: credential.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    type: 'Opaque',
    data: {
      [TOKEN_KEYS.accessToken]: b64(token.accessToken),
      ...(token.refreshToken && { [TOKEN_KEYS.refreshToken]: b64(token.refreshToken) }),
      ...(token.expiresAt && { [TOKEN_KEYS.expiresAt]: b64(token.expiresAt) }),
    },
  };
}

/** Creates the credential's token Secret, or replaces the one there (re-read and retried when another write came first). */
export async function writeTokenSecret(kube: KubeClient, credential: SourceCodeCredential, token: ScmToken): Promise<void> {
  const secrets = kube.resource(Core.Secret);
  const desired = tokenSecret(credential, token);
  for (let attempt = 1; ; attempt++) {
    try {
      const existing = await secrets.find(desired.metadata.namespace, desired.metadata.name);
      if (!existing) await secrets.create(desired as never);
      else await secrets.replace({ ...desired, metadata: { ...desired.metadata, resourceVersion: existing.metadata.resourceVersion } } as never);
      return;
    } catch (err) {
      if (!(isConflict(err) || isAlreadyExists(err)) || attempt >= 5) throw err;
    }
  }
}
