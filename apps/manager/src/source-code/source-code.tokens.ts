// Injection tokens of signing in at git providers.
export const OAUTH_LOGIN = Symbol('OAuthLogin');
export const USED_STATES = Symbol('UsedOAuthStates');
