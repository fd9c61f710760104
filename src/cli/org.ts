/** `tessera org …`: organizations and their members. */
import { counted } from '../domain/words.ts';
import { command, type CommandGroup } from './command.ts';
import { CliError, UsageError } from './errors.ts';
import { email, text } from './values.ts';
import { isValidSlug, type Role } from '../domain/organizations.ts';
import type { CliContext } from './context.ts';
import type { User } from '../domain/users.ts';
import type { Organization } from '../domain/organizations.ts';
import { THIRD_PARTY_MODES, type AppRule, type ThirdPartyMode } from '../domain/policies.ts';
import {
  addMemberByEmail,
  cancelInvitation,
  recordMembershipChange,
  removeMember as removeMembership,
  setAppRule,
  answerAppRequests,
  setMember,
  setRequireSecondFactor,
  setDeviceFlowOff,
  changeThirdPartyMode,
  verifiedAccountFor,
  type InvitingAdmin,
  type RequestAnswerer,
  type PolicyAdmin,
} from '../services/org_admin.ts';
import type { Invitation } from '../domain/invitations.ts';

const ROLES: readonly Role[] = ['owner', 'member'];

function slug(flag: string, value: string): string {
  if (!isValidSlug(value)) {
    throw new UsageError(`--${flag} "${value}" is not a slug: 2-39 lowercase letters, digits and single dashes`);
  }
  return value;
}

async function userByEmail(context: CliContext, address: string): Promise<User> {
  const user = await context.stores.users.findByEmail(address);
  if (!user) throw new CliError(`no user has email ${address}; create one with tessera user create`);
  return user;
}

/** The owner named at creation: like any addition by email, only an account that proved the address. */
async function verifiedOwner(context: CliContext, address: string): Promise<User> {
  const user = await verifiedAccountFor(context.stores.users, address);
  if (user) return user;
  await userByEmail(context, address);
  throw new CliError(
    `no account has proven it owns ${address}; create the organization without --owner, then invite it with tessera org add-member --role owner`,
  );
}

interface CreateOrg {
  slug: string;
  name: string;
  owner?: string;
}

const create = command<CreateOrg>({
  summary: 'create an organization, optionally with its first owner',
  flags: {
    slug: { type: 'string', required: true, value: 'SLUG', description: 'URL name: lowercase letters, digits, dashes' },
    name: { type: 'string', required: true, value: 'NAME', description: 'display name' },
    owner: { type: 'string', value: 'EMAIL', description: 'an existing user with a verified address who becomes owner' },
  },
  example: 'tessera org create --slug acme --name "Acme Corp" --owner alice@example.com',
  check(flags) {
    const owner = flags.string('owner');
    return {
      slug: slug('slug', flags.required('slug')),
      name: text('name', flags.required('name'), 100),
      ...(owner === undefined ? {} : { owner: email('owner', owner) }),
    };
  },
  async run(context, input) {
    const { organizations, audit } = context.stores;
    const owner = input.owner === undefined ? undefined : await verifiedOwner(context, input.owner);
    if (await organizations.findBySlug(input.slug)) throw new CliError(`the slug ${input.slug} is taken`);
    const org = await organizations.create({ slug: input.slug, name: input.name, ...(owner ? { ownerUserId: owner.id } : {}) }, context.now());
    if (!org) throw new CliError(`the slug ${input.slug} is taken`);
    await audit.record({ type: 'organization.created', userId: owner?.id ?? null, detail: { via: 'cli', org: org.slug } }, context.now());
    return {
      json: { id: org.id, slug: org.slug, name: org.name, owner: owner?.email ?? null },
      text: `created organization ${org.slug} (id ${org.id})${owner ? ` owned by ${owner.email}` : ''}`,
    };
  },
});

interface AddMember {
  org: string;
  email: string;
  role: Role;
}

const addMember = command<AddMember>({
  summary: 'add a person to an organization by email (an invitation unless their address is verified), or change a role',
  flags: {
    org: { type: 'string', required: true, value: 'SLUG', description: 'the organization' },
    email: { type: 'string', required: true, value: 'EMAIL', description: 'their email address' },
    role: { type: 'string', value: 'owner|member', description: 'default member' },
  },
  example: 'tessera org add-member --org acme --email bob@example.com --role member',
  check(flags) {
    const role = flags.string('role') ?? 'member';
    if (!ROLES.includes(role as Role)) throw new UsageError(`--role must be owner or member, got "${role}"`);
    return { org: slug('org', flags.required('org')), email: email('email', flags.required('email')), role: role as Role };
  },
  async run(context, input) {
    const org = await orgBySlug(context, input.org);
    const orgAdmin = admin(context);
    // A current member (whatever their address) gets the role: no address is being trusted anew.
    const current = (await context.stores.orgMembers.listMembers(org.id)).filter((m) => m.email === input.email);
    if (current.length > 1) throw new CliError(`several members of ${org.slug} use ${input.email}; change their roles on the settings page`);
    if (current.length === 1) {
      await setMember(orgAdmin, org, current[0]!.userId, input.role);
      await recordMembershipChange(orgAdmin, org, current[0]!.userId, input.role);
      return added(org, input.email, input.role);
    }
    const outcome = await addMemberByEmail(orgAdmin, org, input.email, input.role);
    if (outcome.status === 'added') return added(org, outcome.user.email, input.role);
    const { invitation } = outcome;
    return {
      json: { org: org.slug, email: invitation.email, role: input.role, status: 'invited', invitation: invitation.id, expires_at: iso(invitation.expiresAt) },
      text:
        `no account has proven it owns ${invitation.email}: invited it to ${org.slug} as ${input.role === 'owner' ? 'an owner' : 'a member'}, ` +
        `pending until ${iso(invitation.expiresAt)}; they accept on /orgs, signed in with that address once it is verified`,
    };
  },
});

function added(org: Organization, address: string, role: Role) {
  return {
    json: { org: org.slug, email: address, role, status: 'added' },
    text: `${address} is now ${role === 'owner' ? 'an owner' : 'a member'} of ${org.slug}`,
  };
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

function invitationJson(i: Invitation) {
  return { id: i.id, email: i.email, role: i.role, invited_by: i.invitedBy, created_at: iso(i.createdAt), expires_at: iso(i.expiresAt) };
}

const invitations = command<{ org: string }>({
  summary: "list an organization's pending invitations",
  flags: {
    org: { type: 'string', required: true, value: 'SLUG', description: 'the organization' },
  },
  example: 'tessera org invitations --org acme',
  check: (flags) => ({ org: slug('org', flags.required('org')) }),
  async run(context, input) {
    const org = await orgBySlug(context, input.org);
    const pending = await context.stores.invitations.listPending(org.id, context.now());
    return {
      json: { org: org.slug, invitations: pending.map(invitationJson) },
      text: pending.length === 0 ? `no pending invitations in ${org.slug}` : pending.map((i) => `${i.email}  ${i.role}  pending until ${iso(i.expiresAt)}`).join('\n'),
    };
  },
});

const cancel = command<{ org: string; email: string }>({
  summary: 'cancel the pending invitation of an address',
  flags: {
    org: { type: 'string', required: true, value: 'SLUG', description: 'the organization' },
    email: { type: 'string', required: true, value: 'EMAIL', description: 'the invited address' },
  },
  example: 'tessera org cancel-invitation --org acme --email bob@example.com',
  check: (flags) => ({ org: slug('org', flags.required('org')), email: email('email', flags.required('email')) }),
  async run(context, input) {
    const org = await orgBySlug(context, input.org);
    const pending = (await context.stores.invitations.listPending(org.id, context.now())).find((i) => i.email === input.email);
    if (!pending || !(await cancelInvitation(admin(context), org, pending.id))) throw new CliError(`no pending invitation of ${input.email} in ${org.slug}`);
    return {
      json: { org: org.slug, email: pending.email, cancelled: true },
      text: `cancelled the invitation of ${pending.email} to ${org.slug}`,
    };
  },
});

/** Changes go through services/org_admin.ts, which also tells running servers (NOTIFY on PostgreSQL). */
function admin(context: CliContext): InvitingAdmin & RequestAnswerer & PolicyAdmin {
  return { stores: context.stores, announce: { database: context.database }, now: context.now(), via: 'cli' };
}

async function orgBySlug(context: CliContext, value: string): Promise<Organization> {
  const org = await context.stores.organizations.findBySlug(value);
  if (!org) throw new CliError(`no organization has slug ${value}`);
  return org;
}

/** When running servers see the change: at once, through the change feed (NOTIFY, or SQLite's `changes` table). */
const PROPAGATION = 'running servers apply it at the next API call';

interface Policy {
  org: string;
  thirdParty?: ThirdPartyMode;
  requireSecondFactor?: boolean;
  /** Issue 17: the device flow (RFC 8628) off in this organization. */
  deviceFlowOff?: boolean;
}

const policy = command<Policy>({
  summary: "set the organization's policy: which third-party services may act in it, whether they act only for members with a second factor, and whether sign-ins on a device may cover it",
  flags: {
    org: { type: 'string', required: true, value: 'SLUG', description: 'the organization' },
    'third-party': { type: 'string', value: 'allow|approved|deny', description: 'every authorized service, only approved ones, or none' },
    'require-second-factor': { type: 'string', value: 'on|off', description: 'on: services act only for members with TOTP or a passkey (403 second_factor_required otherwise)' },
    'device-flow': { type: 'string', value: 'on|off', description: 'off: sign-ins on a device (the device flow, RFC 8628) leave this organization out of the grant' },
  },
  example: 'tessera org policy --org acme --third-party approved --require-second-factor on',
  check(flags) {
    const mode = flags.string('third-party');
    if (mode !== undefined && !THIRD_PARTY_MODES.includes(mode as ThirdPartyMode)) throw new UsageError(`--third-party must be allow, approved or deny, got "${mode}"`);
    const required = flags.string('require-second-factor');
    if (required !== undefined && required !== 'on' && required !== 'off') throw new UsageError(`--require-second-factor must be on or off, got "${required}"`);
    const device = flags.string('device-flow');
    if (device !== undefined && device !== 'on' && device !== 'off') throw new UsageError(`--device-flow must be on or off, got "${device}"`);
    if (mode === undefined && required === undefined && device === undefined) throw new UsageError('say what to change: --third-party, --require-second-factor, --device-flow, or several');
    return {
      org: slug('org', flags.required('org')),
      ...(mode === undefined ? {} : { thirdParty: mode as ThirdPartyMode }),
      ...(required === undefined ? {} : { requireSecondFactor: required === 'on' }),
      ...(device === undefined ? {} : { deviceFlowOff: device === 'off' }),
    };
  },
  async run(context, input) {
    const org = await orgBySlug(context, input.org);
    const lines: string[] = [];
    if (input.thirdParty !== undefined) {
      const impact = await changeThirdPartyMode(admin(context), org, input.thirdParty);
      lines.push(`third-party services in ${org.slug}: ${input.thirdParty}`);
      if (impact.appIds.length > 0) lines.push(`this stopped ${counted(impact.appIds.length, 'service')} acting for ${counted(impact.userIds.length, 'member')}; each was told`);
    }
    if (input.requireSecondFactor !== undefined) {
      await setRequireSecondFactor(admin(context), org, input.requireSecondFactor);
      lines.push(
        input.requireSecondFactor
          ? `services act in ${org.slug} only for members with a second factor (TOTP or a passkey)`
          : `services act in ${org.slug} for members with or without a second factor`,
      );
    }
    if (input.deviceFlowOff !== undefined) {
      await setDeviceFlowOff(admin(context), org, input.deviceFlowOff);
      lines.push(input.deviceFlowOff ? `sign-ins on a device leave ${org.slug} out` : `sign-ins on a device may cover ${org.slug}`);
    }
    return {
      json: {
        org: org.slug,
        ...(input.thirdParty === undefined ? {} : { third_party: input.thirdParty }),
        ...(input.requireSecondFactor === undefined ? {} : { require_second_factor: input.requireSecondFactor }),
        ...(input.deviceFlowOff === undefined ? {} : { device_flow: input.deviceFlowOff ? 'off' : 'on' }),
      },
      text: `${lines.join('; ')}; ${PROPAGATION}`,
    };
  },
});

interface AppInOrg {
  org: string;
  clientId: string;
}

function appRuleCommand(rule: AppRule | undefined, summary: string, example: string, done: string) {
  return command<AppInOrg>({
    summary,
    flags: {
      org: { type: 'string', required: true, value: 'SLUG', description: 'the organization' },
      'client-id': { type: 'string', required: true, value: 'ID', description: 'the service (client_id)' },
    },
    example,
    check(flags) {
      return { org: slug('org', flags.required('org')), clientId: text('client-id', flags.required('client-id'), 200) };
    },
    async run(context, input) {
      const org = await orgBySlug(context, input.org);
      const app = await context.stores.apps.find(input.clientId);
      if (!app) throw new CliError(`no app has client_id ${input.clientId}`);
      await setAppRule(admin(context), org, app.id, rule);
      // Members who asked for it are answered as from the settings page (services/org_admin.ts).
      if (rule !== undefined) await answerAppRequests(admin(context), org, app, rule === 'approved' ? 'approved' : 'denied');
      return {
        json: { org: org.slug, client_id: app.id, rule: rule ?? null },
        text: `${app.name} (${app.id}) ${done} ${org.slug}; ${PROPAGATION}`,
      };
    },
  });
}

const approveApp = appRuleCommand('approved', 'approve a service in an organization whose policy is "approved"', 'tessera org approve-app --org acme --client-id CLIENT_ID', 'is approved in');
const revokeApp = appRuleCommand('blocked', 'cut a service off in an organization, whatever its policy', 'tessera org revoke-app --org acme --client-id CLIENT_ID', 'is cut off from');
const withdrawApp = appRuleCommand(undefined, "withdraw an approval or a cut-off: the org's policy alone decides again", 'tessera org withdraw-app --org acme --client-id CLIENT_ID', 'has no standing of its own in');

interface RemoveMember {
  org: string;
  email: string;
}

const removeMember = command<RemoveMember>({
  summary: 'remove a person from an organization; services acting for them lose it at once',
  flags: {
    org: { type: 'string', required: true, value: 'SLUG', description: 'the organization' },
    email: { type: 'string', required: true, value: 'EMAIL', description: 'the member' },
  },
  example: 'tessera org remove-member --org acme --email bob@example.com',
  check(flags) {
    return { org: slug('org', flags.required('org')), email: email('email', flags.required('email')) };
  },
  async run(context, input) {
    const org = await orgBySlug(context, input.org);
    const user = await userByEmail(context, input.email);
    if (!(await removeMembership(admin(context), org, user.id))) throw new CliError(`${user.email} is not a member of ${org.slug}`);
    return {
      json: { org: org.slug, email: user.email, removed: true },
      text: `${user.email} is no longer a member of ${org.slug}; ${PROPAGATION}`,
    };
  },
});

export const orgGroup: CommandGroup = {
  name: 'org',
  summary: 'organizations, memberships and third-party policy',
  commands: {
    create,
    'add-member': addMember,
    'remove-member': removeMember,
    invitations,
    'cancel-invitation': cancel,
    policy,
    'approve-app': approveApp,
    'revoke-app': revokeApp,
    'withdraw-app': withdrawApp,
  },
};
