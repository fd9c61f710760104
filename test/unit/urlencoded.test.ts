import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MalformedParams, parseUrlEncoded } from '../../src/http/urlencoded.ts';
import { assembleParams } from '../../src/http/params.ts';
import { InvalidRequest } from '../../src/oauth/errors.ts';

describe('form and query parsing (SECURITY 40–43)', () => {
  it('decodes + and percent-escapes, keeping unicode', () => {
    const p = parseUrlEncoded('state=a+b%2Bc%2F%F0%9F%98%80%3C%22%27%3E&x=');
    assert.equal(p.state, 'a b+c/😀<"\'>');
    assert.equal(p.x, '');
  });

  it('never builds arrays or objects from bracket syntax, and has no prototype', () => {
    const p = parseUrlEncoded('client_id[]=x&scope[a]=b&__proto__=y&constructor=z');
    assert.equal(p['client_id[]'], 'x');
    assert.equal(p['scope[a]'], 'b');
    assert.equal(Object.getPrototypeOf(p), null);
    assert.equal(({} as Record<string, unknown>).y, undefined);
  });

  it('keeps every value of a repeated key', () => {
    assert.deepEqual(parseUrlEncoded('a=1&a=2&a=3').a, ['1', '2', '3']);
  });

  for (const bad of ['a=%C0%AF', 'a=%ZZ', 'a=%00', 'a=%E2%82']) {
    it(`refuses ${bad}`, () => assert.throws(() => parseUrlEncoded(bad), MalformedParams));
  }

  it('assembles known parameters, ignores unknown ones, treats empty as absent', () => {
    const p = assembleParams(['a', 'b', 'c'] as const, parseUrlEncoded('a=1&b=&zz=9'));
    assert.deepEqual({ ...p }, { a: '1' });
  });

  it('refuses a known parameter repeated in one source or across query and body', () => {
    assert.throws(() => assembleParams(['a'] as const, parseUrlEncoded('a=1&a=2')), InvalidRequest);
    assert.throws(() => assembleParams(['a'] as const, parseUrlEncoded('a=1'), parseUrlEncoded('a=1')), InvalidRequest);
    assert.doesNotThrow(() => assembleParams(['a'] as const, parseUrlEncoded('a=1&zz=1&zz=2')));
  });
});
