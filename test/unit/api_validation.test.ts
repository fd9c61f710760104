/**
 * The API's path and query conversion (api/validation.ts converterFor) must give exactly what
 * TypeBox's Value.Convert gives, which it replaced on the hot path (issue 14).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Type, type TSchema } from 'typebox';
import Value from 'typebox/value';
import { converterFor } from '../../src/api/validation.ts';
import { ItemParams } from '../../src/api/work_items/schemas.ts';
import { WorkItemQuery } from '../../src/api/work_items/schemas.ts';

const SCHEMAS: [string, TSchema][] = [
  ['work item path', ItemParams],
  ['work item query', WorkItemQuery],
  ['mixed', Type.Object({ n: Type.Integer(), x: Type.Number(), b: Type.Optional(Type.Boolean()), s: Type.String(), u: Type.Optional(Type.Union([Type.Literal('a'), Type.Literal('b')])) }, { additionalProperties: false })],
];

const text = fc.oneof(fc.string(), fc.integer().map(String), fc.constantFrom('0', '012', '-1', '1.5', '1e3', ' 1', '', 'true', 'false', '999999999999999', '9999999999999999', 'NaN', '0x10'));

describe('API path and query conversion', () => {
  for (const [name, schema] of SCHEMAS) {
    it(`${name}: the same values as Value.Convert, member by member`, () => {
      const convert = converterFor(schema);
      const keys = Object.keys((schema as { properties: Record<string, unknown> }).properties);
      fc.assert(
        fc.property(fc.dictionary(fc.constantFrom(...keys, 'extra', '__proto__'), text), (input) => {
          const ours = convert(structuredClone(input));
          const theirs = Value.Convert(schema, structuredClone(input));
          assert.deepEqual(ours, theirs);
        }),
        { numRuns: 500 },
      );
    });
  }
});
