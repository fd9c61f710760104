/** `tessera org …`: organizations and their members. */
import { command, type CommandGroup } from './command.ts';
import { CliError, UsageError } from './errors.ts';
import { email, text } from './values.ts';
import { isValidSlug, type Role } from '../domain/organizations.ts';
import type { CliContext } from './context.ts';
import type { User } from '../domain/users.ts';
import type { Organization } from '../domain/organizations.ts';
import { THIRD_PARTY_MODES, type AppRule, type ThirdPartyMode } from '../domain/policies.ts';
import { removeMember as removeMembership, setAppRule, setMember, setThirdPartyMode, type OrgAdmin } from '../core/org_admin.ts';

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
    owner: { type: 'string', value: 'EMAIL', description: 'an existing user who becomes owner' },
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
    const owner = input.owner === undefined ? undefined : await userByEmail(context, input.owner);
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
  summary: 'add a user to an organization, or change their role',
  flags: {
    org: { type: 'string', required: true, value: 'SLUG', description: 'the organization' },
    email: { type: 'string', required: true, value: 'EMAIL', description: 'an existing user' },
    role: { type: 'string', value: 'owner|member', description: 'default member' },
  },
  example: 'tessera org add-member --org acme --email bob@example.com --role member',
  check(flags) {
    const role = flags.string('role') ?? 'member';
    if (!ROLES.includes(role as Role)) throw new UsageError(`--role must be owner or member, got "${role}"`);
    return { org: slug('org', flags.required('org')), email: email('email', flags.required('email')), role: role as Role };
  },
  async run(context, input) {
    const { organizations, audit } = context.stores;
    const org = await organizations.findBySlug(input.org);
    if (!org) throw new CliError(`no organization has slug ${input.org}`);
    const user = await userByEmail(context, input.email);
    await setMember(admin(context), org, user.id, input.role);
    await audit.record({ type: 'membership.changed', userId: user.id, detail: { via: 'cli', org: org.slug, role: input.role } }, context.now());
    return {
      json: { org: org.slug, email: user.email, role: input.role },
      text: `${user.email} is now ${input.role === 'owner' ? 'an owner' : 'a member'} of ${org.slug}`,
    };
  },
});

/** Changes go through core/org_admin.ts, which also tells running servers (NOTIFY on PostgreSQL). */
function admin(context: CliContext): OrgAdmin {
  return { stores: context.stores, announce: { database: context.database }, now: context.now(), via: 'cli' };
}

async function orgBySlug(context: CliContext, value: string): Promise<Organization> {
  const org = await context.stores.organizations.findBySlug(value);
  if (!org) throw new CliError(`no organization has slug ${value}`);
  return org;
}

/** A note for the operator when servers learn of the change only through their cache's expiry. */
function propagation(context: CliContext): string {
  return context.database.pool ? 'running servers apply it at the next API call' : 'running servers apply it within 10 seconds';
}

interface Policy {
  org: string;
  thirdParty: ThirdPartyMode;
}

const policy = command<Policy>({
  summary: "set the organization's policy for third-party services",
  flags: {
    org: { type: 'string', required: true, value: 'SLUG', description: 'the organization' },
    'third-party': { type: 'string', required: true, value: 'allow|approved|deny', description: 'every authorized service, only approved ones, or none' },
  },
  example: 'tessera org policy --org acme --third-party approved',
  check(flags) {
    const mode = flags.required('third-party');
    if (!THIRD_PARTY_MODES.includes(mode as ThirdPartyMode)) throw new UsageError(`--third-party must be allow, approved or deny, got "${mode}"`);
    return { org: slug('org', flags.required('org')), thirdParty: mode as ThirdPartyMode };
  },
  async run(context, input) {
    const org = await orgBySlug(context, input.org);
    await setThirdPartyMode(admin(context), org, input.thirdParty);
    return {
      json: { org: org.slug, third_party: input.thirdParty },
      text: `third-party services in ${org.slug}: ${input.thirdParty}; ${propagation(context)}`,
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
      return {
        json: { org: org.slug, client_id: app.id, rule: rule ?? null },
        text: `${app.name} (${app.id}) ${done} ${org.slug}; ${propagation(context)}`,
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
      text: `${user.email} is no longer a member of ${org.slug}; ${propagation(context)}`,
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
    policy,
    'approve-app': approveApp,
    'revoke-app': revokeApp,
    'withdraw-app': withdrawApp,
  },
};
