/**
 * Issue 21: "suspend at node A, then 401 at node B (p99 < 100 ms, like revoke)". Not a load: one
 * sample at a time on two processes on one PostgreSQL.
 *
 * A sample: the bench's client is unsuspended (the previous sample's suspension lifted), a code
 * for a live grant (approved through the store, as the revoke probe does) is exchanged at node A, and node B is polled with the new access token until it accepts it
 * (it has heard of the lift). Then the client is suspended through the one service function
 * (services/app_suspensions.ts) from the bench's own process on the same database — the path
 * `tessera app suspend` takes, without its process start — which commits the row with its audit
 * event and the people's notices, then NOTIFYs. From the suspension's return, node B is polled with
 * the access token until it answers 401 app_suspended; the delay is the time to that 401. As for
 * the revoke, a poll that set off before B heard answers 200, so a delay overstates the true one by
 * up to one poll round trip; the note adds the delay counted from the call of the suspension.
 * @module
 */
import type { Measurement } from '../lib/load.ts';
import { GIVE_UP_MS, propagationFigure } from '../lib/propagation.ts';
import { mintCodes, SCOPES } from '../seed.ts';
import type { TesseraTarget } from '../targets/tessera.ts';
import { obtainTokens } from './token.ts';
import { suspendApp, unsuspendApp } from '../../src/services/app_suspensions.ts';

/**
 * An access token from node A for the grant, once A has heard of the previous sample's lift: until
 * then A answers invalid_grant before it reads the code (client authentication refuses first), so
 * each try takes a fresh code and nothing is consumed by a refusal.
 */
async function tokenAfterLift(target: TesseraTarget, userId: string, grantId: string): Promise<string> {
  const started = performance.now();
  for (;;) {
    const [code] = await mintCodes(target.deps, { ...target.seeded, people: [{ userId, grantId }] }, 1);
    try {
      return (await obtainTokens(target.server, { ...target, mintCodes: async () => [code!] }, 1)).accessToken;
    } catch (err) {
      if (performance.now() - started > GIVE_UP_MS) throw err;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

export async function suspendPropagation(target: TesseraTarget, samples: number): Promise<Measurement> {
  const [a, b] = [target.server, target.peers[0]];
  if (!b) throw new Error('suspend propagation needs a second node');
  const { deps, seeded } = target;
  const delays: number[] = [];
  const fromCall: number[] = [];
  let errors = 0;
  let polls = 0;
  const now = () => deps.clock.now();
  try {
    for (let i = 0; i < samples; i++) {
      const person = seeded.people[i % seeded.people.length]!;
      // A live grant of the person (the revoke probe, run first, revoked the seeded ones); approve returns the live one if any.
      const grant = await deps.stores.grants.approve(person.userId, seeded.clientId, SCOPES, now());
      const accessToken = await tokenAfterLift(target, person.userId, grant.id);
      const onB = () => fetch(b.url + '/api/v1/me', { headers: { authorization: `Bearer ${accessToken}` } });
      // B must have heard of the previous lift before this sample starts.
      for (let waited = performance.now(); ; ) {
        const res = await onB();
        await res.arrayBuffer();
        if (res.status === 200) break;
        if (performance.now() - waited > GIVE_UP_MS) throw new Error(`node B refused a fresh token: ${res.status}`);
        await new Promise((r) => setTimeout(r, 5));
      }

      const called = performance.now();
      const outcome = await suspendApp(deps, seeded.clientId, `bench sample ${i}`, now(), { via: 'cli' });
      if (outcome.kind !== 'suspended') throw new Error(`suspend: ${outcome.kind}`);
      const returned = performance.now();
      for (;;) {
        const res = await onB();
        await res.arrayBuffer();
        polls++;
        const t = performance.now();
        if (res.status === 401) {
          delays.push(t - returned);
          fromCall.push(t - called);
          break;
        }
        if (res.status !== 200) throw new Error(`node B answered ${res.status} while the suspension travelled`);
        if (t - returned >= GIVE_UP_MS) {
          errors++;
          delays.push(t - returned);
          fromCall.push(t - called);
          break;
        }
      }
      // The next sample's token is minted after the lift, so the lifted suspension does not refuse it (domain/app_suspensions.ts).
      await unsuspendApp(deps, seeded.clientId, now(), { via: 'cli' });
    }
  } finally {
    await unsuspendApp(deps, seeded.clientId, now(), { via: 'cli' });
  }
  return propagationFigure(a, b, { samples, delays, fromStart: fromCall, startedBy: 'calling the suspension', errors, polls });
}
