export {
  ScmProviderType, SCM_PROVIDER_TYPES, ScmEndpoint, ScmProbe, ScmToken, ScmUser, ScmRepository, ScmWebhook, ScmHookEvent, CommitState, CommitStatus, ScmClient,
} from './scm.port';
export { ScmError, ScmErrorCode, SCM_ERROR_CODES } from './scm.errors';
export { scmClientFor, ScmClientOptions } from './scm-client-for';
export { repoRefFromUrl } from './repo-ref';
export { needsRefresh, DEFAULT_REFRESH_MARGIN_MS } from './oauth/oauth2';
