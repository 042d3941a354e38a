import pino from 'pino';

/** Structured logger: constant messages, data in fields, a child per controller, reconcile or job. */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
  child(fields: Record<string, unknown>): Logger;
}

/** Field names whose values are never written, wherever they appear in a log line. */
const REDACTED = ['token', 'password', 'secret', 'authorization', '*.token', '*.password', '*.secret', '*.authorization',
  'headers.authorization', '*.headers.authorization'];

export function createLogger(options: { level?: string; name?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino({
    name: options.name ?? 'keelson',
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: { paths: REDACTED, censor: '[redacted]' },
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
  }, options.destination) as unknown as Logger;
}

/** A logger that drops everything: the default for libraries used without one. */
export const silentLogger: Logger = {
  debug() {}, info() {}, warn() {}, error() {},
  child() {
    return silentLogger;
  },
};
