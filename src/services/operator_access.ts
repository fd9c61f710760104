/**
 * Who may use the operator console under /admin (issue 21), as one rule: a platform operator
 * (`tessera user admin --grant`) whose session's sign-in is at most OPERATOR_SIGN_IN_MAX_AGE old
 * AND used a second factor or a passkey (`usedSecondFactor`: amr `otp`, `hwk`, `swk` or `mfa`,
 * RFC 8176 §2), whatever the account's own settings: the console can switch off a service for
 * everyone, so a password alone never opens it. The window is issue 21's own 15 minutes, not
 * STEP_UP_MAX_AGE (SECURITY 51's window for a person's own sensitive changes), so tuning one
 * never moves the other. The HTTP side of it is interaction/admin/guard.ts.
 * @module
 */
import type { Clock } from '../clock.ts';
import type { Accounts } from './accounts/accounts.ts';
import { usedSecondFactor, type SignedIn } from './accounts/sessions.ts';

/** Fifteen minutes, as issue 21 sets it. */
export const OPERATOR_SIGN_IN_MAX_AGE = 15 * 60;

/**
 * - `operator`: may go on.
 * - `not_operator`: the account is not a platform operator (the console answers as for a path that does not exist).
 * - `confirm`: an operator whose sign-in is too old or used no second factor: confirm who they are again.
 * - `add_second_factor`: an operator with neither TOTP nor a passkey: no sign-in could qualify until they add one.
 */
export type OperatorAccess = 'operator' | 'not_operator' | 'confirm' | 'add_second_factor';

export async function operatorAccess(deps: { clock: Clock; accounts: Pick<Accounts, 'secondFactorsOf'> }, signedIn: SignedIn): Promise<OperatorAccess> {
  if (signedIn.user.platformOperatorAt === null) return 'not_operator';
  const fresh = deps.clock.now() - signedIn.session.authTime <= OPERATOR_SIGN_IN_MAX_AGE;
  if (fresh && usedSecondFactor(signedIn.session)) return 'operator';
  const factors = await deps.accounts.secondFactorsOf(signedIn.user.id);
  return factors.code || factors.passkey ? 'confirm' : 'add_second_factor';
}
