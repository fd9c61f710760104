import type { Db } from '../database.ts';
import type { AppsTable } from '../schema.ts';
import type { App, AppSecret, AppStore } from '../../domain/apps.ts';
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
    clientType: row.client_type,
    scopes: row.scopes.split(' ').filter(Boolean),
    ownerUserId: row.owner_user_id,
    verified: row.verified === 1,
    createdAt: row.created_at,
  };
}

export class SqlAppStore implements AppStore {
  constructor(private readonly db: Db) {}

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
          client_type: app.clientType,
          scopes: app.scopes.join(' '),
          owner_user_id: app.ownerUserId,
          verified: app.verified ? 1 : 0,
          created_at: now,
          updated_at: now,
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

  async markSecretUsed(secretId: string, now: number) {
    await this.db.updateTable('app_secrets').set({ last_used_at: now }).where('id', '=', secretId).execute();
  }
}
