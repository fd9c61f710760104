/**
 * The owners' device-flow policy from the settings page (issue 17): `device_flow=off` leaves the
 * organization out of every grant a person approves on /device, `on` allows it again. Written,
 * audited and announced through services/org_admin.ts like every policy change.
 * @module
 */
import type { OrgAdmin } from '../../services/org_admin.ts';
import type { Organization } from '../../domain/organizations.ts';
import { setDeviceFlowOff } from '../../services/org_admin.ts';
import type { Outcome } from './members.ts';

export async function changeDeviceFlow(admin: OrgAdmin, org: Organization, raw: string | undefined): Promise<Outcome> {
  if (raw !== 'on' && raw !== 'off') return { problem: 'Choose whether sign-ins on a device may cover this organization.', status: 400 };
  await setDeviceFlowOff(admin, org, raw === 'off');
  return { done: raw === 'off' ? 'device_flow_off' : 'device_flow_on' };
}
