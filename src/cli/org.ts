/** `tessera org …`: organizations and their members. */
import { command, type CommandGroup } from './command.ts';
import { CliError, UsageError } from './errors.ts';
import { email, text } from './values.ts';
import { isValidSlug, type Role } from '../domain/organizations.ts';
import type { CliContext } from './context.ts';
import type { User } from '../domain/users.ts';

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
    await organizations.setMember(org.id, user.id, input.role, context.now());
    await audit.record({ type: 'membership.changed', userId: user.id, detail: { via: 'cli', org: org.slug, role: input.role } }, context.now());
    return {
      json: { org: org.slug, email: user.email, role: input.role },
      text: `${user.email} is now ${input.role === 'owner' ? 'an owner' : 'a member'} of ${org.slug}`,
    };
  },
});

export const orgGroup: CommandGroup = {
  name: 'org',
  summary: 'organizations and memberships',
  commands: { create, 'add-member': addMember },
};
