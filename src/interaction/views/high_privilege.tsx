/**
 * The "High privilege" mark beside a scope (domain/scopes.ts `highPrivilege`: the write scopes,
 * `builds:execute`, `full_access`) and, once under any list that shows it, what it means in one
 * sentence (issue 20: "Explain 'High privilege' where it appears").
 */

/** The mark; nothing when `high` is false, so a list can render it on every line. */
export function HighPrivilegeBadge({ high = true }: { high?: boolean }) {
  return high ? <strong class="badge">High privilege</strong> : null;
}

/** The one sentence, shown when `shown` (some scope of the list is high-privilege). */
export function HighPrivilegeMeaning({ shown }: { shown: boolean }) {
  if (!shown) return null;
  return (
    <p class="hint high-privilege">
      <strong>High privilege</strong> means it can change, delete or start things in your name, not only look at them.
    </p>
  );
}
