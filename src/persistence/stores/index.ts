/** Builds every store over one database. */
import type { Db } from '../database.ts';
import type { Stores } from '../../domain/stores.ts';
import { SqlAppStore } from './apps.ts';
import { SqlOutboundDeliveryStore } from './outbound_deliveries.ts';
import { SqlAppSuspensionStore } from './app_suspensions.ts';
import { SqlAppOwnerStore } from './app_owners.ts';
import { SqlAppErrorStore } from './app_errors.ts';
import { SqlAuditStore } from './audit.ts';
import { SqlAuditLog } from './audit_log.ts';
import { SqlGrantStore } from './grants.ts';
import { SqlGrantActivityStore } from './grant_activity.ts';
import { SqlInteractionStore } from './interactions.ts';
import { SqlOrganizationStore } from './organizations.ts';
import { SqlOrgMemberStore } from './org_members.ts';
import { SqlApprovalRequestStore } from './approval_requests.ts';
import { SqlInvitationStore } from './invitations.ts';
import { SqlProjectStore } from './projects.ts';
import { SqlWorkItemStore } from './work_items.ts';
import { SqlRepositoryStore } from './repositories.ts';
import { SqlBuildStore } from './builds.ts';
import { SqlSessionStore } from './sessions.ts';
import { SqlSigningKeyStore } from './signing_keys.ts';
import { SqlRevocationStore, SqlTokenStore } from './tokens.ts';
import { SqlUserStore } from './users.ts';
import { SqlDirectoryStore } from './directories.ts';
import { SqlOutboxStore } from './outbox.ts';
import { SqlAccountLinkStore } from './account_links.ts';
import { SqlPasskeyStore } from './passkeys.ts';
import { SqlDeviceAuthorizationStore } from './device_authorizations.ts';
import { SqlPushedRequestStore } from './pushed_requests.ts';
import { SqlDpopProofStore } from './dpop_proofs.ts';
import { SqlOperatorReads } from './operator_reads.ts';
import { SqlOperatorOverview } from './operator_overview.ts';
import { SqlTokenCountStore } from './token_counts.ts';

/** `dialect` picks the outbox's way of taking messages (FOR UPDATE SKIP LOCKED on PostgreSQL). */
export function createStores(db: Db, dialect: 'sqlite' | 'postgres'): Stores {
  return {
    users: new SqlUserStore(db),
    directories: new SqlDirectoryStore(db),
    sessions: new SqlSessionStore(db),
    organizations: new SqlOrganizationStore(db),
    orgMembers: new SqlOrgMemberStore(db),
    approvalRequests: new SqlApprovalRequestStore(db),
    invitations: new SqlInvitationStore(db),
    apps: new SqlAppStore(db),
    appSuspensions: new SqlAppSuspensionStore(db),
    appOwners: new SqlAppOwnerStore(db),
    appErrors: new SqlAppErrorStore(db),
    grants: new SqlGrantStore(db),
    grantActivity: new SqlGrantActivityStore(db),
    interactions: new SqlInteractionStore(db),
    tokens: new SqlTokenStore(db),
    revocations: new SqlRevocationStore(db),
    keys: new SqlSigningKeyStore(db),
    audit: new SqlAuditStore(db),
    auditLog: new SqlAuditLog(db),
    projects: new SqlProjectStore(db),
    workItems: new SqlWorkItemStore(db),
    repositories: new SqlRepositoryStore(db),
    builds: new SqlBuildStore(db),
    outbox: new SqlOutboxStore(db, dialect),
    outboundDeliveries: new SqlOutboundDeliveryStore(db, dialect),
    accountLinks: new SqlAccountLinkStore(db),
    passkeys: new SqlPasskeyStore(db),
    deviceAuthorizations: new SqlDeviceAuthorizationStore(db),
    pushedRequests: new SqlPushedRequestStore(db),
    dpopProofs: new SqlDpopProofStore(db),
    operatorReads: new SqlOperatorReads(db),
    operatorOverview: new SqlOperatorOverview(db),
    tokenCounts: new SqlTokenCountStore(db),
  };
}
