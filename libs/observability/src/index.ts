export { Logger, createLogger, silentLogger, logLevelControl, LOG_LEVELS } from './logger';
export type { LogLevel, LogLevelControl } from './logger';
export { metricsRegistry, collectProcessMetrics, counter, gauge, histogram, renderMetrics } from './metrics';
