/**
 * Why services cannot act for the person in some organizations, and how to fix it (issue 16): the
 * organizations require a second factor and the person has none. Shown on /profile (where the
 * API's `second_factor_required` problem sends people: `#second-factor`) and "Manage applications".
 */
import type { RequirementNotice } from '../orgs/requirement_notice.ts';

function names(orgs: string[]): string {
  return orgs.length === 1 ? orgs[0]! : `${orgs.slice(0, -1).join(', ')} and ${orgs[orgs.length - 1]!}`;
}

export function SecondFactorNotice({ notice }: { notice: RequirementNotice | undefined }) {
  if (!notice) return <></>;
  const one = notice.orgs.length === 1;
  return (
    <div class="warning" id="second-factor">
      <p>
        <strong>
          {names(notice.orgs)} {one ? 'requires' : 'require'} a second factor.
        </strong>{' '}
        Services you authorized cannot act for you {one ? 'there' : 'in these organizations'} until you add one. Their next call works as soon
        as you do.
      </p>
      {(notice.totp || notice.passkeys) && (
        <p>
          {notice.totp && <a href="/profile#two-step">Turn on two-step verification</a>}
          {notice.totp && notice.passkeys && ' or '}
          {notice.passkeys && <a href="/profile/passkeys">{notice.totp ? 'add a passkey' : 'Add a passkey'}</a>}.
        </p>
      )}
    </div>
  );
}
