/**
 * `tessera demo`: seeds a ready-to-try platform into the configured database (demo_data.ts):
 * three people with generated passwords, two organizations, projects, work items, a repository
 * with files, two build definitions and their finished builds (run here by the built-in runner),
 * and the sample service registered with its client secret. It seeds once: when any of its
 * people or organizations exists already, it refuses and changes nothing.
 * @module
 */
import { command, type CommandGroup } from './command.ts';
import type { CliContext } from './context.ts';
import { CliError, UsageError } from './errors.ts';
import { DEFINITIONS, DEMO_APP, ORGS, PEOPLE, PROJECTS, REPOSITORY, type Person } from './demo_data.ts';
import type { App } from '../domain/apps.ts';
import type { Organization } from '../domain/organizations.ts';
import type { User } from '../domain/users.ts';
import { checkRedirectUris } from '../domain/redirect_uris.ts';
import { outboundUrlProblem } from '../domain/outbound_url.ts';
import { setMember } from '../services/org_admin.ts';
import { BuildRunner } from '../jobs/builds/runner.ts';
import { systemClock } from '../deps.ts';
import { createLogger } from '../ops/logger.ts';
import { digest } from '../crypto/digest.ts';
import { randomClientId, randomId, randomToken } from '../crypto/random.ts';

interface DemoInput {
  redirectUri: string;
}

async function refuseIfSeeded(context: CliContext): Promise<void> {
  for (const p of PEOPLE) {
    if (await context.stores.users.findByEmail(p.email)) throw new CliError(`the demo is already in this database (${p.email} exists); it seeds once: use a fresh DATABASE_URL or DATA_DIR`);
  }
  for (const o of ORGS) {
    if (await context.stores.organizations.findBySlug(o.slug)) throw new CliError(`the organization ${o.slug} already exists in this database; the demo seeds a fresh one: use a fresh DATABASE_URL or DATA_DIR`);
  }
}

async function seedPeople(context: CliContext) {
  const people = new Map<Person, { user: User; password: string }>();
  for (const p of PEOPLE) {
    // A generated password: a demo run against a real database must not open a known account.
    const password = `demo-${randomId()}`;
    // The operator seeding the demo vouches for its addresses, as `tessera user create` does.
    const user = await context.accounts.createAccount({ email: p.email, name: p.name, password, via: 'demo' });
    if (!user) throw new CliError(`${p.email} was taken while seeding`);
    people.set(p.key, { user, password });
  }
  return people;
}

async function seedOrgs(context: CliContext, people: Map<Person, { user: User }>) {
  const orgs = new Map<string, Organization>();
  const admin = { stores: context.stores, announce: { database: context.database }, now: context.now(), via: 'demo' };
  for (const o of ORGS) {
    const org = await context.stores.organizations.create({ slug: o.slug, name: o.name }, context.now());
    if (!org) throw new CliError(`the organization ${o.slug} was taken while seeding`);
    for (const [who, role] of o.members) await setMember(admin, org, people.get(who)!.user.id, role);
    orgs.set(o.slug, org);
  }
  return orgs;
}

async function seedProjects(context: CliContext, people: Map<Person, { user: User }>, orgs: Map<string, Organization>) {
  const { projects, workItems } = context.stores;
  const ids = new Map<string, string>();
  for (const p of PROJECTS) {
    const org = orgs.get(p.org)!;
    const key = p.name.toLowerCase();
    const project = await projects.create({ orgId: org.id, key, name: p.name, description: p.description }, context.now());
    if (!project) throw new CliError(`project ${p.org}/${key} was taken while seeding`);
    ids.set(`${p.org}/${key}`, project.id);
    const owner = people.get(ORGS.find((o) => o.slug === p.org)!.members[0]![0])!.user.id;
    for (const item of p.items) {
      await workItems.create(
        project.id,
        { title: item.title, type: item.type, state: item.state, description: item.description, assigneeId: item.assignee ? people.get(item.assignee)!.user.id : null, createdBy: owner },
        context.now(),
      );
    }
  }
  return ids;
}

async function seedRepositoryAndBuilds(context: CliContext, people: Map<Person, { user: User }>, orgs: Map<string, Organization>, projectIds: Map<string, string>) {
  const { repositories, builds } = context.stores;
  const author = people.get(REPOSITORY.author)!.user.id;
  const repo = await repositories.create({ orgId: orgs.get(REPOSITORY.org)!.id, name: REPOSITORY.name, defaultBranch: 'main', authorId: author }, context.now());
  if (!repo) throw new CliError(`repository ${REPOSITORY.org}/${REPOSITORY.name} was taken while seeding`);
  for (const [path, content] of REPOSITORY.files) {
    const result = await repositories.commitFile(repo.id, { branch: 'main', path, content, message: `Add ${path}`, authorId: author }, context.now());
    if (!result.ok) throw new CliError(`committing ${path} failed: ${result.reason}`);
  }
  const head = (await repositories.resolve(repo.id, 'main'))!;
  const projectId = projectIds.get(`${REPOSITORY.org}/${REPOSITORY.project}`)!;
  for (const d of DEFINITIONS) {
    const definition = await builds.createDefinition({ projectId, name: d.name, repoId: repo.id, branch: 'main', steps: d.steps, createdBy: author }, context.now());
    if (!definition) throw new CliError(`build definition ${d.name} was taken while seeding`);
    await builds.queue({ projectId, definitionId: definition.id, branch: 'main', commitId: head.id, queuedBy: author }, context.now());
  }
  // The built-in runner, here in the CLI process, so the demo starts with finished builds.
  const runner = new BuildRunner(context.stores, systemClock, createLogger('silent'), { pollMs: 1000, leaseSeconds: 30, maxAttempts: 2, concurrency: 2 });
  await runner.drain();
  return (await builds.list(projectId, { limit: 10 })).reverse();
}

/**
 * Where the sample service receives what Tessera pushes (issue 19): its /backchannel-logout and
 * /security-events, on the origin of its callback. Left out when that origin is not one outbound
 * requests may reach (domain/outbound_url.ts): the sample then learns of a revocation from the API.
 */
function receiverUrls(context: CliContext, redirectUri: string): Pick<App, 'backchannelLogoutUri' | 'ssfEndpointUrl'> {
  const logout = new URL(DEMO_APP.backchannelLogoutPath, redirectUri).href;
  const events = new URL(DEMO_APP.securityEventsPath, redirectUri).href;
  const reachable = (url: string) => outboundUrlProblem(url, context.config.outbound) === undefined;
  return reachable(logout) && reachable(events) ? { backchannelLogoutUri: logout, ssfEndpointUrl: events } : {};
}

async function registerApp(context: CliContext, owner: User, redirectUri: string) {
  const app: App = {
    id: randomClientId(),
    name: DEMO_APP.name,
    description: DEMO_APP.description,
    publisher: DEMO_APP.publisher,
    websiteUrl: null,
    logoUrl: null,
    redirectUris: [redirectUri],
    ...receiverUrls(context, redirectUri),
    clientType: 'confidential',
    scopes: DEMO_APP.scopes,
    ownerUserId: owner.id,
    verified: false,
    createdAt: context.now(),
  };
  // RFC 6819 §5.1.4.1.3: only the digest is stored; the secret is printed here, once.
  const secret = randomToken('clientSecret');
  await context.stores.apps.create(app, digest(secret), context.now());
  await context.stores.audit.record({ type: 'app.created', userId: owner.id, appId: app.id, detail: { via: 'demo' } }, context.now());
  return { clientId: app.id, secret, backchannelLogoutUri: app.backchannelLogoutUri ?? null, ssfEndpointUrl: app.ssfEndpointUrl ?? null };
}

const seed = command<DemoInput>({
  summary: 'seed a ready-to-try platform (people, organizations, work items, a repository, builds, the sample service); once per database',
  flags: {
    'redirect-uri': { type: 'string', value: 'URI', description: `the sample service's callback (default ${DEMO_APP.redirectUri})` },
  },
  example: 'tessera demo',
  check(flags) {
    const redirectUri = flags.string('redirect-uri') ?? DEMO_APP.redirectUri;
    const check = checkRedirectUris([redirectUri], 'confidential');
    if (!check.valid) throw new UsageError(`invalid --redirect-uri: ${check.reason}`);
    return { redirectUri };
  },
  async run(context, input) {
    await refuseIfSeeded(context);
    const people = await seedPeople(context);
    const orgs = await seedOrgs(context, people);
    const projectIds = await seedProjects(context, people, orgs);
    const builds = await seedRepositoryAndBuilds(context, people, orgs, projectIds);
    const app = await registerApp(context, people.get('alice')!.user, input.redirectUri);
    await context.stores.audit.record({ type: 'demo.seeded', detail: { via: 'cli' } }, context.now());

    const issuer = context.config.issuer;
    const roles = (key: Person) => ORGS.flatMap((o) => o.members.filter(([who]) => who === key).map(([, role]) => `${role} of ${o.slug}`)).join(', ');
    const json = {
      issuer,
      people: PEOPLE.map((p) => ({ email: p.email, password: people.get(p.key)!.password, name: p.name, orgs: roles(p.key) })),
      organizations: ORGS.map((o) => o.slug),
      app: {
        name: DEMO_APP.name, client_id: app.clientId, client_secret: app.secret, redirect_uri: input.redirectUri, scopes: DEMO_APP.scopes.join(' '),
        backchannel_logout_uri: app.backchannelLogoutUri, ssf_endpoint_url: app.ssfEndpointUrl,
      },
      builds: builds.map((b) => ({ org: REPOSITORY.org, project: REPOSITORY.project, id: b.number, definition: b.definitionName, status: b.status })),
    };
    const text = [
      `Seeded the demo into ${context.config.database.dialect === 'sqlite' ? context.config.database.path : 'PostgreSQL'}.`,
      '',
      `Sign in at ${issuer}/login (passwords are generated; they are not shown again):`,
      ...json.people.map((p) => `  ${p.email.padEnd(24)} ${p.password}   ${p.orgs}`),
      '',
      `Registered "${DEMO_APP.name}" (owned by alice; shown once):`,
      `  client_id:     ${app.clientId}`,
      `  client_secret: ${app.secret}`,
      `  callback:      ${input.redirectUri}`,
      ...(app.backchannelLogoutUri && app.ssfEndpointUrl ? [`  back-channel logout: ${app.backchannelLogoutUri}`, `  security events:     ${app.ssfEndpointUrl}`] : []),
      `Run it: TESSERA_URL=${issuer} CLIENT_ID=${app.clientId} CLIENT_SECRET=${app.secret} node examples/sample-service/server.mjs`,
      '',
      `Builds of ${REPOSITORY.org}/${REPOSITORY.project}: ${json.builds.map((b) => `#${b.id} ${b.definition} ${b.status}`).join(', ')}`,
      `Open: ${issuer}/profile · ${issuer}/developers/apps · ${issuer}/api/v1/docs`,
    ].join('\n');
    return { json, text };
  },
});

export const demoGroup: CommandGroup = {
  name: 'demo',
  summary: 'a ready-to-try platform',
  commands: { seed },
  default: 'seed',
};
