/**
 * Applies the migrations in order. Append-only: a migration, once landed, never changes.
 * Idempotent: running it on an up-to-date database does nothing (SECURITY R2).
 * @module
 */
import { Migrator, PostgresAdapter, sql, type Migration, type MigrationProvider } from 'kysely';
import type { Db } from './database.ts';
import * as createCore from './migrations/202611282200_create_core.ts';
import * as createSecondFactor from './migrations/202611290100_create_second_factor.ts';
import * as createPlatform from './migrations/202611290300_create_platform.ts';
import * as createRepositories from './migrations/202611290301_create_repositories.ts';
import * as extendApps from './migrations/202611290200_extend_apps.ts';
import * as orgAppsAndErrorCounts from './migrations/202611291400_org_apps_and_error_counts.ts';
import * as grantChoices from './migrations/202611291000_grant_choices.ts';
import * as createBuilds from './migrations/202611291200_create_builds.ts';
import * as createOrgAppRequests from './migrations/202611291300_create_org_app_requests.ts';
import * as createDirectories from './migrations/202611291100_create_directories.ts';
import * as auditAppendOnly from './migrations/202611291500_audit_append_only.ts';
import * as janitorIndexes from './migrations/202611291600_janitor_indexes.ts';
import * as relaxAuditDeletes from './migrations/202611291700_relax_audit_deletes.ts';
import * as lighterRefreshTokenIndexes from './migrations/202611291800_lighter_refresh_token_indexes.ts';
import * as postLogoutRedirectUris from './migrations/202611291900_post_logout_redirect_uris.ts';
import * as createChanges from './migrations/202612070700_create_changes.ts';
import * as addEmailVerifiedAt from './migrations/202612070800_add_email_verified_at.ts';
import * as createOrgInvitations from './migrations/202612070801_create_org_invitations.ts';
import * as createMail from './migrations/202612071000_create_mail.ts';
import * as mailRetentionIndexes from './migrations/202612071130_mail_retention_indexes.ts';
import * as secondFactorFailures from './migrations/202612070900_second_factor_failures.ts';
import * as createKnownBrowsers from './migrations/202612071120_create_known_browsers.ts';
import * as createPasskeys from './migrations/202612071140_create_passkeys.ts';
import * as orgRequireSecondFactor from './migrations/202612071160_org_require_second_factor.ts';
import * as createDeviceAuthorizations from './migrations/202612071180_create_device_authorizations.ts';
import * as dpop from './migrations/202612071210_dpop.ts';
import * as dpopProofsUnlogged from './migrations/202612071210_dpop_proofs_unlogged.ts';
import * as orgDeviceFlowOff from './migrations/202612071181_org_device_flow_off.ts';
import * as pushedRequests from './migrations/202612071200_pushed_requests.ts';
import * as spaApps from './migrations/202612071220_spa_apps.ts';
import * as backchannelLogout from './migrations/202612071300_backchannel_logout.ts';
import * as appSuspensions from './migrations/202612071320_app_suspensions.ts';
import * as ssfEndpoint from './migrations/202612071400_ssf_endpoint.ts';
import * as refreshSid from './migrations/202612071405_refresh_sid.ts';
import * as platformOperators from './migrations/202612071410_platform_operators.ts';
import * as tokenCounts from './migrations/202612071420_token_counts.ts';
import * as consoleOrderIndexes from './migrations/202612072150_console_order_indexes.ts';
import * as auditAppIndex from './migrations/202612072230_audit_app_index.ts';
import * as interactionWarnedAt from './migrations/202612072240_interaction_warned_at.ts';
import * as accountLinkBrowser from './migrations/202612080140_account_link_browser.ts';
import * as grantCallKinds from './migrations/202612080200_grant_call_kinds.ts';

const MIGRATIONS: Record<string, Migration> = {
  '202611282200_create_core': createCore,
  '202611290100_create_second_factor': createSecondFactor,
  '202611290300_create_platform': createPlatform,
  '202611290301_create_repositories': createRepositories,
  '202611290200_extend_apps': extendApps,
  '202611291400_org_apps_and_error_counts': orgAppsAndErrorCounts,
  '202611291000_grant_choices': grantChoices,
  '202611291100_create_directories': createDirectories,
  '202611291200_create_builds': createBuilds,
  '202611291300_create_org_app_requests': createOrgAppRequests,
  '202611291500_audit_append_only': auditAppendOnly,
  '202611291600_janitor_indexes': janitorIndexes,
  '202611291700_relax_audit_deletes': relaxAuditDeletes,
  '202611291800_lighter_refresh_token_indexes': lighterRefreshTokenIndexes,
  '202611291900_post_logout_redirect_uris': postLogoutRedirectUris,
  '202612070700_create_changes': createChanges,
  '202612070800_add_email_verified_at': addEmailVerifiedAt,
  '202612070801_create_org_invitations': createOrgInvitations,
  '202612070900_second_factor_failures': secondFactorFailures,
  '202612071000_create_mail': createMail,
  '202612071130_mail_retention_indexes': mailRetentionIndexes,
  '202612071120_create_known_browsers': createKnownBrowsers,
  '202612071140_create_passkeys': createPasskeys,
  '202612071160_org_require_second_factor': orgRequireSecondFactor,
  '202612071180_create_device_authorizations': createDeviceAuthorizations,
  '202612071181_org_device_flow_off': orgDeviceFlowOff,
  '202612071200_pushed_requests': pushedRequests,
  '202612071210_dpop': dpop,
  '202612071210_dpop_proofs_unlogged': dpopProofsUnlogged,
  '202612071220_spa_apps': spaApps,
  '202612071300_backchannel_logout': backchannelLogout,
  '202612071320_app_suspensions': appSuspensions,
  '202612071400_ssf_endpoint': ssfEndpoint,
  '202612071405_refresh_sid': refreshSid,
  '202612071410_platform_operators': platformOperators,
  '202612071420_token_counts': tokenCounts,
  '202612072150_console_order_indexes': consoleOrderIndexes,
  '202612072230_audit_app_index': auditAppIndex,
  '202612072240_interaction_warned_at': interactionWarnedAt,
  '202612080140_account_link_browser': accountLinkBrowser,
  '202612080200_grant_call_kinds': grantCallKinds,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export interface MigrationReport {
  applied: string[];
}

export async function migrateToLatest(db: Db): Promise<MigrationReport> {
  // Kysely looks for its bookkeeping tables in every schema unless told which one; with several
  // schemas on one PostgreSQL (tests, or tenants) it would find another schema's and skip its own.
  const schema = await currentSchema(db);
  const migrator = new Migrator({ db, provider, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

async function currentSchema(db: Db): Promise<string | undefined> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return undefined;
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema;
}
