/**
 * Input validation for the API with TypeBox's own compiler instead of Fastify's default Ajv
 * setup, which coerces JSON types (42 → "42") and silently drops unknown members. Here a body
 * is checked as sent: wrong types and unknown members (additionalProperties: false) are 400.
 * Path and query values are text by nature, so they are converted to the schema's types first.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { TSchema } from 'typebox';
import Value from 'typebox/value';
import { Compile } from 'typebox/compile';

type Converter = (data: unknown) => unknown;

/** Digits without a sign or leading zero, short enough to be exact: Convert gives Number(text) for these. */
const PLAIN_INTEGER = /^(?:0|[1-9][0-9]{0,14})$/;

/**
 * Path and query values converted to the schema's types, as `Value.Convert` does. For a flat
 * object schema (every API path and query schema) each member is converted on its own and a text
 * member is left as it is: the same result, without Convert's walk of the whole object, which
 * matched every member name against every property by regular expression on every call (3–4% of
 * the API read's CPU, docs/performance.md, issue 14).
 */
export function converterFor(schema: TSchema): Converter {
  const { properties, additionalProperties, patternProperties } = schema as { properties?: Record<string, TSchema>; additionalProperties?: unknown; patternProperties?: unknown };
  const flat = properties !== undefined && patternProperties === undefined && (additionalProperties === undefined || typeof additionalProperties === 'boolean');
  if (!flat) return (data) => Value.Convert(schema, data);
  const members = Object.entries(properties)
    .filter(([, member]) => (member as { type?: unknown }).type !== 'string')
    .map(([name, member]) => ({ name, member, integer: (member as { type?: unknown }).type === 'integer' }));
  return (data) => {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return data;
    const record = data as Record<string, unknown>;
    for (const { name, member, integer } of members) {
      if (!Object.hasOwn(record, name)) continue;
      const value = record[name];
      if (value === undefined) continue;
      // A plain decimal integer (a work item's number) becomes its number, as Convert makes it.
      record[name] = integer && typeof value === 'string' && PLAIN_INTEGER.test(value) ? Number(value) : Value.Convert(member, value);
    }
    return record;
  };
}

export function registerValidation(api: FastifyInstance): void {
  api.setValidatorCompiler(({ schema, httpPart }) => {
    const compiled = Compile(schema as TSchema);
    const convert: Converter = httpPart === 'body' ? (data) => data : converterFor(schema as TSchema);
    return (data: unknown) => {
      const value = convert(data);
      if (compiled.Check(value)) return { value };
      const errors = compiled.Errors(value);
      // An unknown member is reported once, by name, rather than as "schema is false".
      const extra = errors.find((e) => e.keyword === 'additionalProperties');
      const first = extra ?? errors[0];
      // The message names the member and the rule (safe to show the client).
      const where = first?.instancePath ? `${httpPart}${first.instancePath.replace(/\//g, '.')}` : httpPart;
      const names = extra ? `: ${((extra.params as { additionalProperties?: string[] }).additionalProperties ?? []).join(', ')}` : '';
      return { error: new Error(`${where} ${first?.message ?? 'is invalid'}${names}`) };
    };
  });
}
