/**
 * Each request's logger (`request.log`), made only when the request logs something at an enabled
 * level. Fastify makes a pino child per request; pino serializes the child's bindings at once and
 * runs the redaction of logger.ts's wildcard paths (`*.password`) over them, which cost 2–3% of
 * the API read's CPU for a logger that, at the default levels, almost never writes
 * (docs/performance.md, issue 14). A line written through it is the same line the child writes.
 * @module
 */
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** Logs through `logger.child(bindings, options)`, made at the first line an enabled level writes. */
export class LazyRequestLogger implements FastifyBaseLogger {
  #child: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger & { isLevelEnabled(level: string): boolean },
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  private get real(): FastifyBaseLogger {
    this.#child ??= this.parent.child(this.bindings, this.options);
    return this.#child;
  }

  private write(level: Level, args: unknown[]): void {
    if (!this.parent.isLevelEnabled(level)) return;
    (this.real[level] as (...a: unknown[]) => void)(...args);
  }

  get level(): string {
    return this.real.level;
  }
  set level(level: string) {
    this.real.level = level;
  }

  // Methods on the prototype, not arrow properties: one of these is made for every request, and
  // seven closures each would be allocation the lazy child exists to save.
  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.write('error', args);
  }
  warn(...args: unknown[]): void {
    this.write('warn', args);
  }
  info(...args: unknown[]): void {
    this.write('info', args);
  }
  debug(...args: unknown[]): void {
    this.write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.write('trace', args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real.child(bindings, options);
  }
}

/**
 * Fastify's `childLoggerFactory`. A route with a level of its own (`logLevel`) gets a real child at
 * once: its level, not the parent's, decides what is written.
 */
export const lazyRequestLoggers: NonNullable<FastifyServerOptions['childLoggerFactory']> = function lazyRequestLoggers(logger, bindings, options) {
  if (options.level !== undefined) return logger.child(bindings, options);
  return new LazyRequestLogger(logger as FastifyBaseLogger & { isLevelEnabled(level: string): boolean }, bindings, options);
};
