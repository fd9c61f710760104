/**
 * The owners' second-factor requirement from the settings page (issue 16): `require=on` makes
 * services act only for members with TOTP or a passkey, `off` lifts it. The change goes through
 * services/org_admin.ts like every policy change (written, audited as `org_policy.changed`,
 * announced), so the API applies it at the next call on every node.
 * @module
 */
import type { OrgAdmin } from '../../services/org_admin.ts';
import type { Organization } from '../../domain/organizations.ts';
import { setRequireSecondFactor } from '../../services/org_admin.ts';
import type { Outcome } from './members.ts';

export async function changeSecondFactorRequirement(admin: OrgAdmin, org: Organization, raw: string | undefined): Promise<Outcome> {
  if (raw !== 'on' && raw !== 'off') return { problem: 'Choose whether services need members to have a second factor.', status: 400 };
  await setRequireSecondFactor(admin, org, raw === 'on');
  return { done: raw === 'on' ? 'second_factor_on' : 'second_factor_off' };
}
