// Links into the web console that the manager hands out (commit statuses, notifications, the OAuth sign-in's
// redirect). They match the console's routes (apps/console/src/routes-paths.ts); `base` is CONSOLE_URL.
const seg = encodeURIComponent;

/** The run page: `<base>/p/<ns>/pipelines/<pipeline>/runs/<execution name>`. */
export function consoleRunLink(base: string, namespace: string, pipeline: string, execution: string): string {
  return `${base}/p/${seg(namespace)}/pipelines/${seg(pipeline)}/runs/${seg(execution)}`;
}

/** The project's source providers page, on the credential a sign-in just made. */
export function consoleCredentialLink(base: string, namespace: string, credential: string): string {
  return `${base}/p/${seg(namespace)}/settings/providers?credential=${seg(credential)}`;
}
