/** `tessera app …`: third-party services (OAuth clients). */
import { command, type CommandGroup } from './command.ts';
import type { CliContext } from './context.ts';
import type { ParsedFlags } from './args.ts';
import { CliError, UsageError } from './errors.ts';
import { email, text } from './values.ts';
import type { App, ClientType } from '../domain/apps.ts';
import { checkRedirectUris } from '../domain/redirect_uris.ts';
import { isWebRedirectUri } from '../domain/spa.ts';
import { outboundUrlProblem } from '../domain/outbound_url.ts';
import { SCOPES, parseScope } from '../domain/scopes.ts';
import { digest } from '../crypto/digest.ts';
import { randomToken, randomClientId } from '../crypto/random.ts';
import { MAX_SUSPENSION_REASON } from '../domain/app_suspensions.ts';
import { suspendApp, unsuspendApp } from '../services/app_suspensions.ts';
import { appReads } from './app_reads.ts';
import { setPublisherVerified } from '../services/app_verification.ts';
import { replaceSecrets } from '../services/apps.ts';

export const DEFAULT_APP_SCOPES = 'openid profile email offline_access orgs:read workitems:read';

interface CreateApp {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  clientType: ClientType;
  scopes: string[];
  owner?: string;
  publisher?: string;
  description: string;
  deviceFlow: boolean;
  requirePar: boolean;
  dpop: boolean;
  spa: boolean;
  backchannelLogoutUri?: string;
  backchannelLogoutSessionRequired: boolean;
  ssfEndpoint?: string;
}

function scopes(value: string): string[] {
  const parsed = parseScope(value);
  if (!parsed || parsed.length === 0) throw new UsageError(`--scopes "${value}" is not a space-separated list of scopes`);
  const unknown = parsed.filter((s) => !Object.hasOwn(SCOPES, s));
  if (unknown.length > 0) {
    throw new UsageError(`unknown scope ${unknown.join(', ')}; known scopes: ${Object.keys(SCOPES).join(' ')}`);
  }
  return parsed;
}

/** RFC 8935 push endpoint (issue 19): the outbound rules of back-channel logout, with this server's setting. */
const SSF_ENDPOINT_FLAG = {
  type: 'string',
  value: 'URL',
  description: 'where signed security events (CAEP session-revoked, token-claims-change) are POSTed when a grant of the app is revoked or narrowed (RFC 8935); https (http on loopback), no private address unless OUTBOUND_ALLOW_PRIVATE=on',
} as const;

function checkSsfEndpoint(url: string, outbound: { allowPrivate: boolean }): void {
  const problem = outboundUrlProblem(url, outbound);
  if (problem) throw new UsageError(`--ssf-endpoint ${url} ${problem}`);
}

const create = command<CreateApp>({
  summary: 'register a service; prints its client_id and, once, its client_secret',
  flags: {
    name: { type: 'string', required: true, value: 'NAME', description: 'shown on the approval page' },
    'redirect-uri': {
      type: 'string',
      multiple: true,
      required: true,
      value: 'URI',
      description: 'https, http on 127.0.0.1/[::1], or com.example.app:/cb for public apps',
    },
    'post-logout-redirect-uri': {
      type: 'string',
      multiple: true,
      value: 'URI',
      description: 'where people may be sent after signing out (OIDC RP-Initiated Logout); same rules as --redirect-uri',
    },
    public: { type: 'boolean', description: 'a public client (native or browser app): no secret, PKCE only' },
    spa: {
      type: 'boolean',
      description: 'a single-page app (implies --public): web redirect URIs only; CORS at /token, /revoke, /par and /userinfo for their origins; unbound refresh tokens end after 24 hours',
    },
    scopes: { type: 'string', value: '"S1 S2"', description: `scopes it may ask for (default "${DEFAULT_APP_SCOPES}")` },
    owner: { type: 'string', value: 'EMAIL', description: 'an existing user who owns the app' },
    publisher: { type: 'string', value: 'NAME', description: "who publishes it (default the owner's name)" },
    description: { type: 'string', value: 'TEXT', description: 'one or two sentences (default empty)' },
    'device-flow': { type: 'boolean', description: 'may sign people in with the device flow (RFC 8628: command-line tools, TVs)' },
    'require-par': { type: 'boolean', description: 'its authorization requests must be pushed to /par first (RFC 9126 §6)' },
    dpop: { type: 'boolean', description: 'takes only DPoP-bound tokens: /token refuses a request without a DPoP proof (RFC 9449 §5.2)' },
    'backchannel-logout-uri': {
      type: 'string',
      value: 'URL',
      description: 'where a signed logout token is POSTed when a person who signed in to it signs out (OpenID Connect Back-Channel Logout 1.0); https (http on loopback), no private address unless OUTBOUND_ALLOW_PRIVATE=on',
    },
    'backchannel-logout-session-required': { type: 'boolean', description: 'the app needs sid in its logout tokens (Tessera always sends sid and sub)' },
    'ssf-endpoint': SSF_ENDPOINT_FLAG,
  },
  example: 'tessera app create --name "CI Dashboard" --redirect-uri https://ci.example.com/oauth/callback --owner alice@example.com',
  check(flags) {
    // Issue 18: a single-page app is a public client (draft-ietf-oauth-browser-based-apps §6.3.3.1: no secret in a browser).
    const spa = flags.boolean('spa');
    const clientType: ClientType = spa || flags.boolean('public') ? 'public' : 'confidential';
    const redirectUris = flags.list('redirect-uri');
    const check = checkRedirectUris(redirectUris, clientType);
    if (!check.valid) throw new UsageError(`invalid --redirect-uri: ${check.reason}`);
    const postLogoutRedirectUris = flags.list('post-logout-redirect-uri');
    const postLogoutCheck = postLogoutRedirectUris.length === 0 ? check : checkRedirectUris(postLogoutRedirectUris, clientType);
    if (!postLogoutCheck.valid) throw new UsageError(`invalid --post-logout-redirect-uri: ${postLogoutCheck.reason}`);
    const notWeb = spa ? [...redirectUris, ...postLogoutRedirectUris].find((uri) => !isWebRedirectUri(uri)) : undefined;
    if (notWeb !== undefined) throw new UsageError(`--spa: ${notWeb} is not a web URL; a single-page app uses https, or http on 127.0.0.1 or [::1]`);
    const owner = flags.string('owner');
    const publisher = flags.string('publisher');
    const description = flags.string('description');
    return {
      name: text('name', flags.required('name'), 100),
      redirectUris,
      postLogoutRedirectUris,
      clientType,
      scopes: scopes(flags.string('scopes') ?? DEFAULT_APP_SCOPES),
      ...(owner === undefined ? {} : { owner: email('owner', owner) }),
      ...(publisher === undefined ? {} : { publisher: text('publisher', publisher, 100) }),
      description: description === undefined ? '' : text('description', description, 1000),
      deviceFlow: flags.boolean('device-flow'),
      requirePar: flags.boolean('require-par'),
      dpop: flags.boolean('dpop'),
      spa,
      ...(flags.string('backchannel-logout-uri') === undefined ? {} : { backchannelLogoutUri: flags.string('backchannel-logout-uri')! }),
      backchannelLogoutSessionRequired: flags.boolean('backchannel-logout-session-required'),
      ...(flags.string('ssf-endpoint') === undefined ? {} : { ssfEndpoint: flags.string('ssf-endpoint')! }),
    };
  },
  async run(context, input) {
    const { users, apps, audit } = context.stores;
    const owner = input.owner === undefined ? undefined : await users.findByEmail(input.owner);
    if (input.owner !== undefined && !owner) throw new CliError(`no user has email ${input.owner}; create one with tessera user create`);
    // Back-Channel Logout §2.2, held to the outbound rules with this server's setting.
    const logoutProblem = input.backchannelLogoutUri === undefined ? undefined : outboundUrlProblem(input.backchannelLogoutUri, context.config.outbound);
    if (logoutProblem) throw new UsageError(`--backchannel-logout-uri ${input.backchannelLogoutUri} ${logoutProblem}`);
    if (input.ssfEndpoint !== undefined) checkSsfEndpoint(input.ssfEndpoint, context.config.outbound);
    const app: App = {
      id: randomClientId(),
      name: input.name,
      description: input.description,
      publisher: input.publisher ?? owner?.name ?? 'Unknown publisher',
      websiteUrl: null,
      logoUrl: null,
      redirectUris: input.redirectUris,
      postLogoutRedirectUris: input.postLogoutRedirectUris,
      clientType: input.clientType,
      scopes: input.scopes,
      ownerUserId: owner?.id ?? null,
      // Verification is a separate review, never granted at registration (SECURITY 50).
      verified: false,
      createdAt: context.now(),
      deviceFlow: input.deviceFlow,
      requirePar: input.requirePar,
      dpopBoundAccessTokens: input.dpop,
      spa: input.spa,
      backchannelLogoutUri: input.backchannelLogoutUri ?? null,
      backchannelLogoutSessionRequired: input.backchannelLogoutSessionRequired,
      ssfEndpointUrl: input.ssfEndpoint ?? null,
    };
    // RFC 6819 §5.1.4.1.3: only the digest is stored; the secret is shown here, once.
    const secret = app.clientType === 'confidential' ? randomToken('clientSecret') : undefined;
    await apps.create(app, secret === undefined ? undefined : digest(secret), context.now());
    await audit.record({ type: 'app.created', userId: app.ownerUserId, appId: app.id, detail: { via: 'cli' } }, context.now());
    const lines = [`created ${app.spa ? 'single-page' : app.clientType} app "${app.name}"`, `client_id:     ${app.id}`];
    if (secret !== undefined) lines.push(`client_secret: ${secret}`, 'Store the secret now: it is not kept and cannot be shown again.');
    return {
      json: secret === undefined ? { client_id: app.id } : { client_id: app.id, client_secret: secret },
      text: lines.join('\n'),
    };
  },
});

/** Changes what an operator may set on an existing app from here: today its security events endpoint. */
const update = command<{ clientId: string; ssfEndpoint: string | null }>({
  summary: "change an app's security events endpoint (--ssf-endpoint URL), or remove it (--no-ssf-endpoint)",
  flags: {
    'client-id': { type: 'string', required: true, value: 'ID', description: 'the app to change' },
    'ssf-endpoint': SSF_ENDPOINT_FLAG,
    'no-ssf-endpoint': { type: 'boolean', description: 'remove the endpoint: no more security events are queued for the app' },
  },
  example: 'tessera app update --client-id 6f1c… --ssf-endpoint https://ci.example.com/ssf/events',
  check(flags) {
    const url = flags.string('ssf-endpoint');
    const clear = flags.boolean('no-ssf-endpoint');
    if ((url === undefined) === !clear) throw new UsageError('give exactly one of --ssf-endpoint URL and --no-ssf-endpoint');
    return { clientId: text('client-id', flags.required('client-id'), 100), ssfEndpoint: url ?? null };
  },
  async run(context, input) {
    const { apps, audit } = context.stores;
    if (input.ssfEndpoint !== null) checkSsfEndpoint(input.ssfEndpoint, context.config.outbound);
    const app = await apps.find(input.clientId);
    if (!app) throw new CliError(`no app has client_id ${input.clientId}`);
    await apps.update({ ...app, ssfEndpointUrl: input.ssfEndpoint }, context.now());
    await audit.record({ type: 'app.updated', userId: null, appId: app.id, detail: { via: 'cli', ssf_endpoint_url: input.ssfEndpoint } }, context.now());
    return {
      json: { client_id: app.id, ssf_endpoint_url: input.ssfEndpoint },
      text: input.ssfEndpoint === null ? `"${app.name}" (${app.id}) gets no security events any more` : `"${app.name}" (${app.id}) gets its security events at ${input.ssfEndpoint}`,
    };
  },
});

const verify = command<{ clientId: string; revoke: boolean }>({
  summary: "mark an app's publisher verified (shown on the approval page); --revoke takes the mark away",
  flags: {
    'client-id': { type: 'string', required: true, value: 'ID', description: 'the app to mark' },
    revoke: { type: 'boolean', description: 'remove the verified mark instead' },
  },
  example: 'tessera app verify --client-id 6f1c…',
  check(flags) {
    return { clientId: text('client-id', flags.required('client-id'), 100), revoke: flags.boolean('revoke') };
  },
  async run(context, input) {
    // The one write path of the mark, shared with the operator console (services/app_verification.ts).
    const app = await setPublisherVerified(context, input.clientId, !input.revoke, context.now(), { via: 'cli' });
    if (!app) throw new CliError(`no app has client_id ${input.clientId}`);
    return {
      json: { client_id: app.id, verified: !input.revoke },
      text: `${input.revoke ? 'removed the verified mark from' : 'marked verified:'} "${app.name}" (${app.publisher})`,
    };
  },
});

/** The app a command names by --client-id; refused (exit 1) when there is none. */
async function appOf(context: CliContext, clientId: string): Promise<App> {
  const app = await context.stores.apps.find(clientId);
  if (!app) throw new CliError(`no app has client_id ${clientId}`);
  return app;
}

/** The input of a command whose only flag is --client-id. */
function clientIdOnly(flags: ParsedFlags): { clientId: string } {
  return { clientId: text('client-id', flags.required('client-id'), 100) };
}

const suspend = command<{ clientId: string; reason: string }>({
  summary: 'suspend a service everywhere at once (issue 21): its tokens, codes and sign-ins are refused; people keep their grants',
  flags: {
    'client-id': { type: 'string', required: true, value: 'ID', description: 'the app to suspend' },
    reason: {
      type: 'string',
      required: true,
      value: 'TEXT',
      description: `why, at most ${MAX_SUSPENSION_REASON} characters: recorded in the audit log and shown to the app's owners (people who authorized it see only "suspended by the platform")`,
    },
  },
  example: 'tessera app suspend --client-id 6f1c… --reason "Phishing reported by 40 people; under review"',
  check(flags) {
    return { clientId: text('client-id', flags.required('client-id'), 100), reason: text('reason', flags.required('reason'), MAX_SUSPENSION_REASON) };
  },
  async run(context, input) {
    const app = await appOf(context, input.clientId);
    const outcome = await suspendApp(context, app.id, input.reason, context.now(), { via: 'cli' });
    if (outcome.kind === 'unknown_app') throw new CliError(`no app has client_id ${input.clientId}`);
    if (outcome.kind === 'bad_reason') throw new UsageError(`--reason must have 1 to ${MAX_SUSPENSION_REASON} characters`);
    return {
      json: { client_id: app.id, suspended_at: outcome.suspension.suspendedAt, reason: outcome.suspension.reason },
      text: `suspended "${app.name}" (${app.id}) everywhere; people's grants are kept. Lift it with: tessera app unsuspend --client-id ${app.id}`,
    };
  },
});

const unsuspend = command<{ clientId: string }>({
  summary: "lift a suspension: refresh tokens work again; access tokens issued before the suspension stay refused",
  flags: {
    'client-id': { type: 'string', required: true, value: 'ID', description: 'the suspended app' },
  },
  example: 'tessera app unsuspend --client-id 6f1c…',
  check: clientIdOnly,
  async run(context, input) {
    const app = await appOf(context, input.clientId);
    const lifted = await unsuspendApp(context, app.id, context.now(), { via: 'cli' });
    if (!lifted) throw new CliError(`"${app.name}" (${app.id}) is not suspended`);
    return {
      json: { client_id: app.id, suspended: false, suspended_at: lifted.suspendedAt, unsuspended_at: lifted.liftedAt },
      text: `lifted the suspension of "${app.name}" (${app.id}); its access tokens issued before it stay refused`,
    };
  },
});

const rotateSecret = command<{ clientId: string }>({
  summary: "after a leak: issue a new client secret and revoke every other one of the app at once; prints the new secret once",
  flags: {
    'client-id': { type: 'string', required: true, value: 'ID', description: 'the confidential app whose secret leaked' },
  },
  example: 'tessera app rotate-secret --client-id 6f1c…',
  check: clientIdOnly,
  async run(context, input) {
    const app = await appOf(context, input.clientId);
    const outcome = await replaceSecrets(context, app, context.now(), { via: 'cli' });
    if ('refused' in outcome) {
      throw new CliError(outcome.refused === 'public' ? `"${app.name}" (${app.id}) is a public client: it has no secret` : `no app has client_id ${input.clientId}`);
    }
    return {
      json: { client_id: app.id, client_secret: outcome.secret, secret_id: outcome.id, revoked: outcome.revoked },
      text: [
        `client_secret: ${outcome.secret}`,
        `${outcome.revoked} earlier secret${outcome.revoked === 1 ? ' is' : 's are'} revoked: every node refuses ${outcome.revoked === 1 ? 'it' : 'them'} from the next request.`,
        "Give the new secret to the app's owners over a channel you trust; it is not shown again.",
      ].join('\n'),
    };
  },
});

const registrationToken = command<{ expiresIn: number | null }>({
  summary: 'create an initial access token for Dynamic Client Registration (RFC 7591); printed once, single use',
  flags: {
    'expires-in': { type: 'string', value: 'SECONDS', description: 'lifetime (default 86400 = 1 day; 0 = never expires)' },
  },
  example: 'tessera app registration-token create --expires-in 3600',
  check(flags) {
    const raw = flags.string('expires-in') ?? '86400';
    if (!/^\d{1,9}$/.test(raw)) throw new UsageError(`--expires-in "${raw}" is not a whole number of seconds`);
    const seconds = Number(raw);
    return { expiresIn: seconds === 0 ? null : seconds };
  },
  async run(context, input) {
    const token = randomToken('initialAccessToken');
    const now = context.now();
    const expiresAt = input.expiresIn === null ? null : now + input.expiresIn;
    // Stored as a digest only, like every other credential.
    await context.stores.apps.createRegistrationToken({ digest: digest(token), kind: 'initial', appId: null, expiresAt }, now);
    await context.stores.audit.record({ type: 'registration_token.created', detail: { via: 'cli', expiresAt } }, now);
    return {
      json: { initial_access_token: token, expires_at: expiresAt },
      text: [`initial_access_token: ${token}`, 'It registers one client at POST /register (DYNAMIC_REGISTRATION=on) and is not shown again.'].join('\n'),
    };
  },
});

export const appGroup: CommandGroup = {
  name: 'app',
  summary: 'third-party services (OAuth clients)',
  commands: { list: appReads.list, show: appReads.show, create, update, verify, suspend, unsuspend, 'rotate-secret': rotateSecret, 'registration-token': registrationToken },
};
