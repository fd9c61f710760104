/**
 * The audit trail of sign-in attempts. A failure is recorded against the account the email
 * names, when there is one, so the person sees it among their recent security events; an
 * unknown email is recorded too, without a person, so both cost the same work (SECURITY 33).
 * @module
 */
import type { Clock } from '../../clock.ts';
import type { Stores } from '../../domain/stores.ts';

export async function recordFailure(deps: { stores: Stores; clock: Clock }, email: string | undefined, ip: string): Promise<void> {
  const user = email !== undefined && email.length <= 254 ? await deps.stores.users.findByEmail(email) : undefined;
  await deps.stores.audit.record({ type: 'user.sign_in_failed', userId: user?.id ?? null, ip }, deps.clock.now());
}
