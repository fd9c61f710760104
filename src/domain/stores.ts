/** Every store the application uses, built once by persistence/stores and passed in `deps`. */
import type { AppStore } from './apps.ts';
import type { AuditStore } from './audit.ts';
import type { GrantStore } from './grants.ts';
import type { GrantActivityStore } from './grant_activity.ts';
import type { InteractionStore } from './interactions.ts';
import type { SigningKeyStore } from './keys.ts';
import type { OrganizationStore } from './organizations.ts';
import type { ProjectStore } from './projects.ts';
import type { WorkItemStore } from './work_items.ts';
import type { RepositoryStore } from './repositories.ts';
import type { SessionStore } from './sessions.ts';
import type { RevocationStore, TokenStore } from './tokens.ts';
import type { UserStore } from './users.ts';

export interface Stores {
  users: UserStore;
  sessions: SessionStore;
  organizations: OrganizationStore;
  apps: AppStore;
  grants: GrantStore;
  grantActivity: GrantActivityStore;
  interactions: InteractionStore;
  tokens: TokenStore;
  revocations: RevocationStore;
  keys: SigningKeyStore;
  audit: AuditStore;
  projects: ProjectStore;
  workItems: WorkItemStore;
  repositories: RepositoryStore;
}
