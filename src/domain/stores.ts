/** Every store the application uses, built once by persistence/stores and passed in `deps`. */
import type { OutboundDeliveryStore } from './outbound_deliveries.ts';
import type { AppStore } from './apps.ts';
import type { AppSuspensionStore } from './app_suspensions.ts';
import type { AppOwnerStore } from './app_owners.ts';
import type { AppErrorStore } from './app_errors.ts';
import type { AuditStore } from './audit.ts';
import type { AuditLog } from './audit_log.ts';
import type { GrantStore } from './grants.ts';
import type { GrantActivityStore } from './grant_activity.ts';
import type { InteractionStore } from './interactions.ts';
import type { SigningKeyStore } from './keys.ts';
import type { OrganizationStore } from './organizations.ts';
import type { OrgMemberStore } from './org_members.ts';
import type { ApprovalRequestStore } from './approval_requests.ts';
import type { InvitationStore } from './invitations.ts';
import type { ProjectStore } from './projects.ts';
import type { WorkItemStore } from './work_items.ts';
import type { RepositoryStore } from './repositories.ts';
import type { BuildStore } from './builds.ts';
import type { SessionStore } from './sessions.ts';
import type { RevocationStore, TokenStore } from './tokens.ts';
import type { UserStore } from './users.ts';
import type { DirectoryStore } from './directories.ts';
import type { OutboxStore } from './mail.ts';
import type { AccountLinkStore } from './account_links.ts';
import type { PasskeyStore } from './passkeys.ts';
import type { DeviceAuthorizationStore } from './device_authorizations.ts';
import type { PushedRequestStore } from './pushed_requests.ts';
import type { DpopProofStore } from './dpop_proofs.ts';
import type { OperatorReadStore } from './operator_reads.ts';
import type { OperatorOverviewStore } from './operator_overview.ts';
import type { TokenCountStore } from './token_counts.ts';

export interface Stores {
  users: UserStore;
  /** Company directories, work accounts' identities and upstream sign-ins in flight. */
  directories: DirectoryStore;
  sessions: SessionStore;
  organizations: OrganizationStore;
  /** Members and the services acting for them, for the organization settings page. */
  orgMembers: OrgMemberStore;
  /** Members' requests that owners approve a service ("approved only" policy). */
  approvalRequests: ApprovalRequestStore;
  /** Owners' invitations of email addresses not (yet) proven to belong to an account. */
  invitations: InvitationStore;
  apps: AppStore;
  /** Apps an operator suspended (issue 21): read at start and on the sync by caches/suspended_apps.ts. */
  appSuspensions: AppSuspensionStore;
  /** Apps owned by organizations (developer portal). */
  appOwners: AppOwnerStore;
  /** Errors answered to apps, per day and code (developer portal usage). */
  appErrors: AppErrorStore;
  grants: GrantStore;
  grantActivity: GrantActivityStore;
  interactions: InteractionStore;
  tokens: TokenStore;
  revocations: RevocationStore;
  keys: SigningKeyStore;
  audit: AuditStore;
  /** The audit log as operators read it: `tessera audit list`, the console's Audit log page. */
  auditLog: AuditLog;
  projects: ProjectStore;
  workItems: WorkItemStore;
  repositories: RepositoryStore;
  builds: BuildStore;
  /** Mail waiting to be sent, and sent or failed mail as history (issue 15). */
  outbox: OutboxStore;
  /** Requests Tessera sends on its own: back-channel logout tokens (issue 19). */
  outboundDeliveries: OutboundDeliveryStore;
  /** Single-use links mailed to people: verify an address, reset a password, confirm a new address. */
  accountLinks: AccountLinkStore;
  /** Passkeys (WebAuthn credentials) and the challenges of their ceremonies (issue 16). */
  passkeys: PasskeyStore;
  /** Device flow requests (RFC 8628, issue 17). */
  deviceAuthorizations: DeviceAuthorizationStore;
  /** Pushed authorization requests (RFC 9126, issue 18). */
  pushedRequests: PushedRequestStore;
  /** Accepted DPoP proofs, for the replay check on every node (RFC 9449 §11.1, issue 18). */
  dpopProofs: DpopProofStore;
  /** What platform operators read about people and services: the CLI's lists and the /admin console (issue 21). */
  operatorReads: OperatorReadStore;
  operatorOverview: OperatorOverviewStore;
  tokenCounts: TokenCountStore;
}
