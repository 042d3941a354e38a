// Injection tokens of the pipeline machinery (ports, so tests and other roles can swap an implementation).
export const ENGINE = Symbol('ExecutionEngine');
export const DATA_PLANE_CLUSTERS = Symbol('DataPlaneClusters');
export const DATA_PLANE_GATE = Symbol('DataPlaneGate');
export const SYNC_QUEUE = Symbol('SyncQueue');
export const EXECUTION_CREATOR = Symbol('ExecutionCreator');
export const EXECUTION_ACTIONS = Symbol('ExecutionActions');
export const REPORT_QUEUE = Symbol('ReportQueue');
export const EXECUTION_CONFIG_READER = Symbol('ExecutionConfigReader');
