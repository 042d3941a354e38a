// A project's notifiers are its Secrets labelled keelson.dev/notifier=true, named after the notifier. A Secret
// without the label is not a notifier: `.devops.yml` cannot make the manager read (and post) any Secret it names.
import { Core, KubeClient } from '@keelson/kube';
import { NOTIFIER_LABEL, parseNotifier, type Notifier } from '@keelson/notifications';

export class NotifierUnavailableError extends Error {
  readonly name = 'NotifierUnavailableError';
}

export async function loadNotifier(kube: KubeClient, namespace: string, name: string): Promise<Notifier> {
  const secret = (await kube.resource(Core.Secret).find(namespace, name)) as { metadata: { labels?: Record<string, string> }; data?: Record<string, string> } | undefined;
  if (!secret || secret.metadata.labels?.[NOTIFIER_LABEL] !== 'true') {
    throw new NotifierUnavailableError(`notifier ${name}: no Secret ${name} labelled ${NOTIFIER_LABEL}=true in namespace ${namespace}`);
  }
  const data = Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  return parseNotifier(name, data);
}
