// Asking for a credential's repositories to be listed again now: a new value of this annotation (any text, e.g.
// the time) is a request; the credential controller records the value it answered in status.handledRefreshRequest.
export const REFRESH_ANNOTATION = 'keelson.dev/refresh-repositories';

/** The request the credential carries that its controller has not answered yet. */
export function pendingRefreshRequest(credential: { metadata: { annotations?: Record<string, string> }; status?: { handledRefreshRequest?: string } }): string | undefined {
  const requested = credential.metadata.annotations?.[REFRESH_ANNOTATION];
  return requested && requested.slice(0, 128) !== credential.status?.handledRefreshRequest ? requested.slice(0, 128) : undefined;
}
