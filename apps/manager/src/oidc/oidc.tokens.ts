export const OIDC_SIGN_IN = Symbol('OidcSignIn');
