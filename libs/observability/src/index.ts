export { Logger, createLogger, silentLogger } from './logger';
export { metricsRegistry, collectProcessMetrics, counter, gauge, histogram, renderMetrics } from './metrics';
