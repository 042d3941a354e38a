import pino from 'pino';

/** Structured logger: constant messages, data in fields, a child per controller, reconcile or job. */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
  child(fields: Record<string, unknown>): Logger;
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Changes the level of a logger and of every child it already made (config reload without restart). */
export interface LogLevelControl {
  readonly level: LogLevel;
  set(level: LogLevel): void;
}

/** Field names whose values are never written, wherever they appear in a log line. */
const REDACTED = ['token', 'password', 'secret', 'authorization', '*.token', '*.password', '*.secret', '*.authorization',
  'headers.authorization', '*.headers.authorization'];

const controls = new WeakMap<object, LogLevelControl>();

export function createLogger(options: { level?: string; name?: string; destination?: pino.DestinationStream } = {}): Logger {
  const initial = options.level ?? process.env.LOG_LEVEL ?? 'info';
  // pino copies a level into each child when it is made, so changing the root's level later would miss the
  // children the controllers and workers hold. Instead pino lets everything from debug up through, and one
  // shared threshold, read on every call, decides: a set() reaches every child at once.
  const threshold = { value: pino.levels.values[initial] ?? pino.levels.values.info, name: initial as LogLevel };
  const root = pino({
    name: options.name ?? 'keelson',
    level: threshold.value < pino.levels.values.debug ? initial : 'debug',
    redact: { paths: REDACTED, censor: '[redacted]' },
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    hooks: {
      logMethod(args, method, level) {
        if (level >= threshold.value) method.apply(this, args);
      },
    },
  }, options.destination);
  const logger = root as unknown as Logger;
  controls.set(logger, {
    get level() {
      return threshold.name;
    },
    set(level: LogLevel) {
      if (!LOG_LEVELS.includes(level)) throw new Error(`unknown log level ${String(level)}`);
      threshold.value = pino.levels.values[level];
      threshold.name = level;
    },
  });
  return logger;
}

/** The level control of a logger createLogger made; undefined for any other (a test's silent or capturing one). */
export function logLevelControl(logger: Logger): LogLevelControl | undefined {
  return controls.get(logger);
}

/** A logger that drops everything: the default for libraries used without one. */
export const silentLogger: Logger = {
  debug() {}, info() {}, warn() {}, error() {},
  child() {
    return silentLogger;
  },
};
