/**
 * Issue 7: "two processes on one PostgreSQL: a revoke on one is enforced by the other within 100 ms
 * at p99". Not a load: one sample at a time, each on a grant of its own, so no revocation carries
 * over into the next sample.
 *
 * A sample: a fresh grant (approved through the store, as seed.ts does), a code for it exchanged at
 * node A, the access token accepted by node B on an API read, then the refresh token revoked at
 * node A with POST /revoke (RFC 7009 §2.1: a refresh token takes its grant and the grant's access
 * tokens with it; src/oauth/revoke/revoke_token.ts). From the revoke's answer, node B is polled
 * with the access token by back-to-back requests until it answers 401; the delay is the time from
 * the revoke's answer to that 401's. A poll that set off before B heard of the revocation answers
 * 200, so a delay overstates the true one by up to one poll round trip. B may also hear of it
 * before A answers (A sends the NOTIFY before its answer), so the note adds the same delay counted
 * from the moment the revoke was sent: an upper bound that includes A's own work.
 * @module
 */
import { basic, FORM, form } from '../lib/http.ts';
import type { Measurement } from '../lib/load.ts';
import { GIVE_UP_MS, propagationFigure } from '../lib/propagation.ts';
import { CLIENT } from '../lib/reference_client.ts';
import { mintCodes, SCOPES } from '../seed.ts';
import type { TesseraTarget } from '../targets/tessera.ts';
import { obtainTokens } from './token.ts';

export async function revokePropagation(target: TesseraTarget, samples: number): Promise<Measurement> {
  const [a, b] = [target.server, target.peers[0]];
  if (!b) throw new Error('revoke propagation needs a second node');
  const { deps, seeded } = target;
  const grants = new Set<string>();
  const delays: number[] = [];
  const fromRequest: number[] = [];
  let errors = 0;
  let polls = 0;
  for (let i = 0; i < samples; i++) {
    const person = seeded.people[i % seeded.people.length]!;
    // The person's previous grant was revoked by an earlier sample, so this approves a new one.
    const grant = await deps.stores.grants.approve(person.userId, seeded.clientId, SCOPES, deps.clock.now());
    if (grants.has(grant.id)) throw new Error(`grant ${grant.id} was not revoked by its sample`);
    grants.add(grant.id);
    const [code] = await mintCodes(deps, { ...seeded, people: [{ userId: person.userId, grantId: grant.id }] }, 1);
    const { refreshTokens, accessToken } = await obtainTokens(a, { ...target, mintCodes: async () => [code!] }, 1);
    const onB = () => fetch(b.url + '/api/v1/me', { headers: { authorization: `Bearer ${accessToken}` } });
    const before = await onB();
    if (before.status !== 200) throw new Error(`node B refused a token node A issued: ${before.status} ${await before.text()}`);
    await before.arrayBuffer();

    const sent = performance.now();
    const revoked = await fetch(a.url + '/revoke', {
      method: 'POST',
      headers: { ...FORM, authorization: basic(target.clientId, CLIENT.secret) },
      body: form({ token: refreshTokens[0]!, token_type_hint: 'refresh_token' }),
    });
    await revoked.arrayBuffer();
    const answered = performance.now();
    if (revoked.status !== 200) throw new Error(`POST /revoke answered ${revoked.status}`);
    for (;;) {
      const res = await onB();
      await res.arrayBuffer();
      polls++;
      const now = performance.now();
      const delay = now - answered;
      if (res.status === 401) {
        delays.push(delay);
        fromRequest.push(now - sent);
        break;
      }
      if (res.status !== 200) throw new Error(`node B answered ${res.status} while the revocation travelled`);
      if (delay >= GIVE_UP_MS) {
        errors++;
        delays.push(delay);
        fromRequest.push(now - sent);
        break;
      }
    }
  }
  return propagationFigure(a, b, { samples, delays, fromStart: fromRequest, startedBy: 'sending the revoke', errors, polls });
}
