// Injection tokens of the step-log machinery.
export const LOG_STORES = Symbol('LogStores');
export const LOG_EVENTS = Symbol('LogEvents');
/** The archiver, or null when LOG_ARCHIVING is off. */
export const LOG_ARCHIVER = Symbol('ExecutionLogArchiver');
