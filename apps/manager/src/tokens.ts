// Injection tokens of the manager's process-wide dependencies.
export const CONFIG = Symbol('ManagerConfig');
export const KUBE = Symbol('KubeClient');
export const LOGGER = Symbol('Logger');
