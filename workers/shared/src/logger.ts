// Structured JSON logs, one object a line. Per-request access lines are `debug`: at production's level
// (`info`) they are off, because console output costs as much as a small handler does.
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  enabled(level: LogLevel): boolean;
  with(fields: Fields): Logger;
}

const rank = (level: LogLevel): number => LOG_LEVELS.indexOf(level);

export function parseLogLevel(value: string | undefined): LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value ?? "") ? (value as LogLevel) : "info";
}

export function createLogger(service: string, level: LogLevel, base: Fields = {}): Logger {
  const min = rank(level);
  const write = (lvl: LogLevel, msg: string, fields?: Fields): void => {
    if (rank(lvl) < min) return;
    const line = JSON.stringify({ t: new Date().toISOString(), level: lvl, service, msg, ...base, ...fields });
    if (lvl === "error") console.error(line);
    else if (lvl === "warn") console.warn(line);
    else console.log(line);
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
    enabled: (lvl) => rank(lvl) >= min,
    with: (fields) => createLogger(service, level, { ...base, ...fields }),
  };
}

export function errorFields(err: unknown): Fields {
  return err instanceof Error ? { error: err.message, errorName: err.name, stack: err.stack } : { error: String(err) };
}
