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

export function registerValidation(api: FastifyInstance): void {
  api.setValidatorCompiler(({ schema, httpPart }) => {
    const compiled = Compile(schema as TSchema);
    return (data: unknown) => {
      const value = httpPart === 'body' ? data : Value.Convert(schema as TSchema, data);
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
