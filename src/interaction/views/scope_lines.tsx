/**
 * A list of permissions in plain words, each high-privilege one marked, and what the mark means
 * once below it (issue 20). Shared by every page that shows what a service may do or asks for:
 * Manage applications, the approval page's "You already allowed", an organization's approval
 * requests.
 */
import { HighPrivilegeBadge, HighPrivilegeMeaning } from './high_privilege.tsx';
import { SCOPES, describeScope, type LifetimeWords } from '../../domain/scopes.ts';
import type { Grant } from '../../domain/grants.ts';
import { formatDate } from '../../domain/dates.ts';

export interface ScopeText {
  scope: string;
  description: string;
  highPrivilege: boolean;
}

/** The words and the mark of each scope, as domain/scopes.ts describes them; a grant's `lifetime` words offline_access (issue 20). */
export function scopeTexts(scopes: readonly string[], lifetime?: LifetimeWords): ScopeText[] {
  return scopes.map((scope) => ({ scope, description: describeScope(scope, lifetime), highPrivilege: SCOPES[scope]?.highPrivilege ?? false }));
}

/** A grant's lifetime, as its scope sentences say it: its end, or until revoked. */
export function grantLifetime(grant: Pick<Grant, 'expiresAt'>): LifetimeWords {
  return grant.expiresAt === null ? 'until_revoked' : { until: formatDate(grant.expiresAt) };
}

export function ScopeLines({ scopes, class: className = 'scopes' }: { scopes: readonly ScopeText[]; class?: string }) {
  return (
    <>
      <ul class={className}>
        {scopes.map((s) => (
          <li key={s.scope} class={s.highPrivilege ? 'high' : undefined}>
            {s.description}
            <HighPrivilegeBadge high={s.highPrivilege} />
          </li>
        ))}
      </ul>
      <HighPrivilegeMeaning shown={scopes.some((s) => s.highPrivilege)} />
    </>
  );
}
