/**
 * A configuration variable that is missing or malformed; its message names the variable. Its own
 * file so the parts of the configuration (config.ts, brand.ts) share it without importing each other.
 * @module
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
