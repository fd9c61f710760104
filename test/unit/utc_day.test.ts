/** utcDay keys daily counts (API calls per grant, errors per app); it keeps the last day it formatted. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { utcDay } from '../../src/domain/grant_activity.ts';

describe('utcDay', () => {
  it('names the UTC day of an instant, at both ends of the day and when the day goes back', () => {
    assert.equal(utcDay(0), '1970-01-01');
    assert.equal(utcDay(86_399), '1970-01-01');
    assert.equal(utcDay(86_400), '1970-01-02');
    assert.equal(utcDay(1_796_527_589), '2026-12-06');
    assert.equal(utcDay(86_399), '1970-01-01', 'an earlier day after a later one');
    assert.equal(utcDay(-1), '1969-12-31');
  });
});
