// Injection tokens of the manager's process-wide dependencies.
export const CONFIG = Symbol('ManagerConfig');
export const KUBE = Symbol('KubeClient');
export const LOGGER = Symbol('Logger');
/** The manager's own signing key (OAUTH_STATE_KEY or its generated Secret): `{ key(): Promise<Buffer> }`. */
export const MANAGER_KEY = Symbol('ManagerKey');
