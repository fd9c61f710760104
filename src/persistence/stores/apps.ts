import type { Db } from '../database.ts';
import { PreparedQuery } from '../prepared.ts';
import { APP_COLUMNS, qualified } from '../columns.ts';
import type { AppsTable } from '../schema.ts';
import { PostgresAdapter, sql } from 'kysely';
import type { App, AppLogo, AppSecret, AppSecretInfo, AppStore, AppUsage, RegistrationToken } from '../../domain/apps.ts';
import { randomId } from '../../crypto/random.ts';

function toApp(row: AppsTable): App {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    publisher: row.publisher,
    websiteUrl: row.website_url,
    logoUrl: row.logo_url,
    redirectUris: JSON.parse(row.redirect_uris) as string[],
    postLogoutRedirectUris: JSON.parse(row.post_logout_redirect_uris) as string[],
    clientType: row.client_type,
    scopes: row.scopes.split(' ').filter(Boolean),
    ownerUserId: row.owner_user_id,
    verified: row.verified === 1,
    createdAt: row.created_at,
    companyUrl: row.company_url,
    termsUrl: row.terms_url,
    privacyUrl: row.privacy_url,
    deviceFlow: row.device_flow === 1,
    requirePar: row.require_par === 1,
    dpopBoundAccessTokens: row.dpop_bound_access_tokens === 1,
    spa: row.spa === 1,
    backchannelLogoutUri: row.backchannel_logout_uri,
    backchannelLogoutSessionRequired: row.backchannel_logout_session_required === 1,
    ssfEndpointUrl: row.ssf_endpoint_url,
  };
}

const DAY = 86400;

function isoDay(dayNumber: number): string {
  return new Date(dayNumber * DAY * 1000).toISOString().slice(0, 10);
}

/** Client authentication reads an app with its live secrets at every /introspect and /revoke: compiled once (persistence/prepared.ts). */
function appQueries(db: Db) {
  return {
    withLiveSecrets: new PreparedQuery(db, (v: { id: string; now: number }) =>
      db
        .selectFrom('apps as a')
        .leftJoin('app_secrets as s', (join) =>
          join
            .onRef('s.app_id', '=', 'a.id')
            .on('s.revoked_at', 'is', null)
            .on((eb) => eb.or([eb('s.expires_at', 'is', null), eb('s.expires_at', '>', v.now)])),
        )
        .select(qualified('a', APP_COLUMNS))
        .select(['s.id as secret_id', 's.digest as secret_digest', 's.expires_at as secret_expires_at'])
        .where('a.id', '=', v.id),
    ),
  };
}

export class SqlAppStore implements AppStore {
  private readonly postgres: boolean;
  private readonly q: ReturnType<typeof appQueries>;

  constructor(private readonly db: Db) {
    this.postgres = db.getExecutor().adapter instanceof PostgresAdapter;
    this.q = appQueries(db);
  }

  async create(app: App, secretDigest: string | undefined, now: number) {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('apps')
        .values({
          id: app.id,
          name: app.name,
          description: app.description,
          publisher: app.publisher,
          website_url: app.websiteUrl,
          logo_url: app.logoUrl,
          redirect_uris: JSON.stringify(app.redirectUris),
          post_logout_redirect_uris: JSON.stringify(app.postLogoutRedirectUris ?? []),
          client_type: app.clientType,
          scopes: app.scopes.join(' '),
          owner_user_id: app.ownerUserId,
          verified: app.verified ? 1 : 0,
          created_at: now,
          updated_at: now,
          company_url: app.companyUrl ?? null,
          terms_url: app.termsUrl ?? null,
          privacy_url: app.privacyUrl ?? null,
          device_flow: app.deviceFlow ? 1 : 0,
          require_par: app.requirePar ? 1 : 0,
          dpop_bound_access_tokens: app.dpopBoundAccessTokens ? 1 : 0,
          // The kind is chosen at creation and never changes (update leaves it alone).
          spa: app.spa ? 1 : 0,
          backchannel_logout_uri: app.backchannelLogoutUri ?? null,
          backchannel_logout_session_required: app.backchannelLogoutSessionRequired ? 1 : 0,
          ssf_endpoint_url: app.ssfEndpointUrl ?? null,
        })
        .execute();
      if (secretDigest) {
        await tx
          .insertInto('app_secrets')
          .values({ id: randomId(), app_id: app.id, digest: secretDigest, created_at: now, expires_at: null, last_used_at: null, revoked_at: null })
          .execute();
      }
    });
  }

  async find(id: string) {
    const row = await this.db.selectFrom('apps').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toApp(row);
  }

  async liveSecrets(appId: string, now: number): Promise<AppSecret[]> {
    const rows = await this.db
      .selectFrom('app_secrets')
      .select(['id', 'digest', 'expires_at'])
      .where('app_id', '=', appId)
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .execute();
    return rows.map((r) => ({ id: r.id, digest: r.digest, expiresAt: r.expires_at }));
  }

  async findWithLiveSecrets(id: string, now: number) {
    // One round trip for client authentication: the app and its live secrets (at most a few rows).
    const { rows } = await this.q.withLiveSecrets.run(this.db, { id, now });
    if (rows.length === 0) return undefined;
    const secrets: AppSecret[] = [];
    for (const r of rows) if (r.secret_id !== null) secrets.push({ id: r.secret_id, digest: r.secret_digest!, expiresAt: r.secret_expires_at });
    return { app: toApp(rows[0]!), secrets };
  }

  async markSecretUsed(secretId: string, now: number) {
    await this.db.updateTable('app_secrets').set({ last_used_at: now }).where('id', '=', secretId).execute();
  }

  async listByOwner(userId: string) {
    const rows = await this.db.selectFrom('apps').selectAll().where('owner_user_id', '=', userId).orderBy('created_at', 'desc').orderBy('id').execute();
    return rows.map(toApp);
  }

  async update(app: App, now: number) {
    await this.db
      .updateTable('apps')
      .set({
        name: app.name,
        description: app.description,
        publisher: app.publisher,
        website_url: app.websiteUrl,
        logo_url: app.logoUrl,
        redirect_uris: JSON.stringify(app.redirectUris),
        post_logout_redirect_uris: JSON.stringify(app.postLogoutRedirectUris ?? []),
        scopes: app.scopes.join(' '),
        company_url: app.companyUrl ?? null,
        terms_url: app.termsUrl ?? null,
        privacy_url: app.privacyUrl ?? null,
        ...(app.deviceFlow === undefined ? {} : { device_flow: app.deviceFlow ? 1 : 0 }),
        ...(app.requirePar === undefined ? {} : { require_par: app.requirePar ? 1 : 0 }),
        ...(app.dpopBoundAccessTokens === undefined ? {} : { dpop_bound_access_tokens: app.dpopBoundAccessTokens ? 1 : 0 }),
        ...(app.backchannelLogoutUri === undefined ? {} : { backchannel_logout_uri: app.backchannelLogoutUri }),
        ...(app.backchannelLogoutSessionRequired === undefined ? {} : { backchannel_logout_session_required: app.backchannelLogoutSessionRequired ? 1 : 0 }),
        ...(app.ssfEndpointUrl === undefined ? {} : { ssf_endpoint_url: app.ssfEndpointUrl }),
        updated_at: now,
      })
      .where('id', '=', app.id)
      .execute();
  }

  async listSpaRedirectUris(): Promise<string[]> {
    const rows = await this.db.selectFrom('apps').select('redirect_uris').where('spa', '=', 1).execute();
    return rows.flatMap((r) => JSON.parse(r.redirect_uris) as string[]);
  }

  async setVerified(appId: string, verified: boolean) {
    const result = await this.db.updateTable('apps').set({ verified: verified ? 1 : 0 }).where('id', '=', appId).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async listSecrets(appId: string): Promise<AppSecretInfo[]> {
    const rows = await this.db
      .selectFrom('app_secrets')
      .select(['id', 'created_at', 'expires_at', 'last_used_at'])
      .where('app_id', '=', appId)
      .where('revoked_at', 'is', null)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ id: r.id, createdAt: r.created_at, expiresAt: r.expires_at, lastUsedAt: r.last_used_at }));
  }

  async addSecret(appId: string, secretDigest: string, expiresAt: number | null, maxLive: number, now: number) {
    return this.db.transaction().execute(async (tx) => {
      // Locks the app row on PostgreSQL so parallel rotations count one after the other.
      const app = await tx.selectFrom('apps').select('id').where('id', '=', appId).$if(this.postgres, (q) => q.forUpdate()).executeTakeFirst();
      if (!app) return undefined;
      const { count } = await tx
        .selectFrom('app_secrets')
        .select((eb) => eb.fn.countAll<string | number>().as('count'))
        .where('app_id', '=', appId)
        .where('revoked_at', 'is', null)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .executeTakeFirstOrThrow();
      if (Number(count) >= maxLive) return undefined;
      const id = randomId();
      await tx
        .insertInto('app_secrets')
        .values({ id, app_id: appId, digest: secretDigest, created_at: now, expires_at: expiresAt, last_used_at: null, revoked_at: null })
        .execute();
      return id;
    });
  }

  async revokeSecret(appId: string, secretId: string, now: number) {
    const result = await this.db
      .updateTable('app_secrets')
      .set({ revoked_at: now })
      .where('id', '=', secretId)
      .where('app_id', '=', appId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async setLogo(appId: string, logo: AppLogo, now: number) {
    const values = { app_id: appId, content_type: logo.contentType, data: logo.bytes.toString('base64'), updated_at: now };
    await this.db
      .insertInto('app_logos')
      .values(values)
      .onConflict((oc) => oc.column('app_id').doUpdateSet({ content_type: values.content_type, data: values.data, updated_at: now }))
      .execute();
  }

  async findLogo(appId: string): Promise<AppLogo | undefined> {
    const row = await this.db.selectFrom('app_logos').select(['content_type', 'data']).where('app_id', '=', appId).executeTakeFirst();
    return row && { contentType: row.content_type as AppLogo['contentType'], bytes: Buffer.from(row.data, 'base64') };
  }

  async liveGrantIds(appId: string, now: number) {
    const rows = await this.db
      .selectFrom('grants')
      .select('id')
      .where('app_id', '=', appId)
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .execute();
    return rows.map((r) => r.id);
  }

  async delete(appId: string) {
    await this.db.transaction().execute(async (tx) => {
      // Children first, so the order does not depend on foreign-key cascades being on.
      await tx.deleteFrom('refresh_tokens').where('app_id', '=', appId).execute();
      await tx.deleteFrom('authorization_codes').where('app_id', '=', appId).execute();
      await tx.deleteFrom('interactions').where('app_id', '=', appId).execute();
      await tx.deleteFrom('device_authorizations').where('app_id', '=', appId).execute();
      await tx.deleteFrom('pushed_requests').where('app_id', '=', appId).execute();
      await tx.deleteFrom('grants').where('app_id', '=', appId).execute();
      await tx.deleteFrom('app_secrets').where('app_id', '=', appId).execute();
      await tx.deleteFrom('app_logos').where('app_id', '=', appId).execute();
      await tx.deleteFrom('registration_tokens').where('app_id', '=', appId).execute();
      await tx.deleteFrom('apps').where('id', '=', appId).execute();
    });
  }

  /**
   * Token responses per day, counted from rows the token endpoint writes anyway: a redeemed
   * authorization code is one response, a refresh token with a parent is one refresh. No counter
   * on the hot path; the count covers what has not been purged yet.
   */
  async usage(appId: string, now: number, days: number): Promise<AppUsage> {
    const since = now - days * DAY;
    const [grants, codes, refreshes] = await Promise.all([
      this.db
        .selectFrom('grants')
        .select((eb) => eb.fn.count<string | number>('user_id').distinct().as('count'))
        .where('app_id', '=', appId)
        .where('revoked_at', 'is', null)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .executeTakeFirstOrThrow(),
      this.db
        .selectFrom('authorization_codes')
        .select([sql<number>`consumed_at / ${sql.lit(DAY)}`.as('day'), (eb) => eb.fn.countAll<string | number>().as('count')])
        .where('app_id', '=', appId)
        .where('consumed_at', '>=', since)
        .groupBy(sql`consumed_at / ${sql.lit(DAY)}`)
        .execute(),
      this.db
        .selectFrom('refresh_tokens')
        .select([sql<number>`created_at / ${sql.lit(DAY)}`.as('day'), (eb) => eb.fn.countAll<string | number>().as('count')])
        .where('app_id', '=', appId)
        .where('parent_id', 'is not', null)
        .where('created_at', '>=', since)
        .groupBy(sql`created_at / ${sql.lit(DAY)}`)
        .execute(),
    ]);
    const perDay = new Map<number, number>();
    for (const row of [...codes, ...refreshes]) {
      const day = Number(row.day);
      perDay.set(day, (perDay.get(day) ?? 0) + Number(row.count));
    }
    return {
      activeGrants: Number(grants.count),
      tokensPerDay: [...perDay.entries()].sort((a, b) => b[0] - a[0]).map(([day, count]) => ({ day: isoDay(day), count })),
    };
  }

  async createRegistrationToken(token: RegistrationToken, now: number) {
    await this.db
      .insertInto('registration_tokens')
      .values({ id: token.digest, kind: token.kind, app_id: token.appId, created_at: now, expires_at: token.expiresAt, used_at: null })
      .execute();
  }

  async spendInitialToken(tokenDigest: string, now: number) {
    // One conditional update: two registrations racing for one token cannot both win.
    const result = await this.db
      .updateTable('registration_tokens')
      .set({ used_at: now })
      .where('id', '=', tokenDigest)
      .where('kind', '=', 'initial')
      .where('used_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async findByRegistrationToken(tokenDigest: string) {
    const row = await this.db
      .selectFrom('registration_tokens')
      .select('app_id')
      .where('id', '=', tokenDigest)
      .where('kind', '=', 'access')
      .executeTakeFirst();
    return row?.app_id ?? undefined;
  }
}
