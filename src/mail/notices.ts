/**
 * The words of security notices (issue 15, "Security notices"): each says what happened, when
 * (UTC: mail cannot know the reader's time zone), from which address and browser, and links to the
 * page where the person can undo it. Which events are notices is decided in domain/notices.ts; the
 * event's own detail (an application's name and scopes, an old address, the codes left) is all a
 * notice is rendered from, at send time.
 * @module
 */
import type { NoticeData } from '../domain/mail.ts';
import type { Draft, Paragraph } from './draft.ts';
import { SCOPES } from '../domain/scopes.ts';
import { formatTime } from '../domain/dates.ts';
import { PAGE_PATHS, absolute } from './links.ts';

/** What a notice says happened, and what to do if it was not the reader. */
interface Told {
  subject: string;
  what: Paragraph[];
  ifNotYou: string;
  action: { label: string; url: string };
}

/** `product`: the platform's name as people know it (PRODUCT_NAME). */
export function noticeDraft(notice: NoticeData, to: string, issuer: string, product: string): Draft {
  const told = toldOf(notice, to, issuer, product);
  return { subject: told.subject, paragraphs: [...told.what, { facts: factsOf(notice) }, told.ifNotYou], action: told.action };
}

function toldOf(notice: NoticeData, to: string, issuer: string, product: string): Told {
  const d = notice.detail;
  const profile = { label: 'Review your account', url: absolute(issuer, PAGE_PATHS.profile) };
  const reset = { label: 'Reset your password', url: absolute(issuer, PAGE_PATHS.forgotPassword) };
  const passkey = typeof d.name === 'string' ? `A passkey named “${d.name}”` : 'A passkey';
  switch (notice.event) {
    case 'user.password_changed':
      return {
        subject: 'Your password was changed',
        what: [`The password of your ${product} account was changed. Every other session of the account was signed out.`],
        ifNotYou: 'If this was not you, someone else knows your password: reset it now with a link sent to this address.',
        action: reset,
      };
    case 'user.password_reset':
      return {
        subject: 'Your password was reset',
        what: [`The password of your ${product} account was reset with a link sent to this address. Every session of the account was signed out.`],
        ifNotYou: 'If this was not you, someone can read your mail: secure your email account first, then reset your password again.',
        action: reset,
      };
    case 'user.totp_enabled':
      return {
        subject: 'Two-step verification was turned on',
        what: [`Two-step verification was turned on for your ${product} account: signing in now takes a code from an authenticator app after the password.`],
        ifNotYou: 'If this was not you, someone else knows your password: change it on your profile, sign out the sessions you do not know, and ask your administrator to remove the second factor.',
        action: profile,
      };
    case 'user.totp_disabled':
      return {
        subject: 'Two-step verification was turned off',
        what: [`Two-step verification was turned off for your ${product} account: signing in now takes only the password.`],
        ifNotYou: 'If this was not you, change your password and turn two-step verification on again on your profile.',
        action: profile,
      };
    case 'user.recovery_code_used': {
      const left = typeof d.remaining === 'number' ? ` ${d.remaining === 1 ? '1 code is' : `${d.remaining} codes are`} left; each works once.` : '';
      return {
        subject: 'A recovery code was used',
        what: [`One of your recovery codes was used${recoveryUse(d.via)}.${left}`],
        ifNotYou: 'If this was not you, someone has your password and a recovery code: change your password and make new recovery codes on your profile.',
        action: profile,
      };
    }
    case 'user.second_factor_reset':
      return secondFactorResetTold(d, profile, product);
    case 'user.email_changed':
      return {
        subject: 'The email address of your account was changed',
        what: [`The address of your ${product} account was changed from ${to} to ${typeof d.new_email === 'string' ? d.new_email : 'another address'}. Mail about the account, password resets included, now goes to the new address.`],
        ifNotYou: 'If this was not you, contact your administrator at once: this address can no longer reset the password.',
        action: profile,
      };
    case 'user.passkey_added':
      return {
        subject: 'A passkey was added to your account',
        what: [`${passkey} can now sign in to your ${product} account.`],
        ifNotYou: 'If this was not you, remove the passkey on your profile and change your password.',
        action: profile,
      };
    case 'user.passkey_removed':
      return {
        subject: 'A passkey was removed from your account',
        what: [`${passkey} was removed from your ${product} account and can no longer sign in to it.`],
        ifNotYou: 'If this was not you, change your password and review the sign-in methods on your profile.',
        action: profile,
      };
    case 'user.passkey_clone_suspected':
      return {
        subject: 'A copy of one of your passkeys may exist',
        what: [`${passkey} was used with a signature counter lower than before, which suggests that the key was copied. That sign-in was refused.`],
        ifNotYou: 'Remove that passkey on your profile, add a new one, and change your password if you have one.',
        action: profile,
      };
    case 'grant.approved':
      return grantTold(d, issuer, product);
    case 'device.signed_in': {
      const app = typeof d.app === 'string' ? d.app : 'A service';
      const where = [typeof d.device_ip === 'string' ? `from the address ${d.device_ip}` : '', typeof d.device_user_agent === 'string' ? `(${d.device_user_agent})` : ''].filter(Boolean).join(' ');
      const scopes = Array.isArray(d.scopes) ? d.scopes.filter((s): s is string => typeof s === 'string') : [];
      const what: Paragraph[] = [`You approved a code that signed ${app} in to your ${product} account on a device${where ? ` ${where}` : ''}.`];
      if (scopes.length > 0) what.push({ intro: 'It may:', list: scopes.map((s) => SCOPES[s]?.description ?? s) });
      return {
        subject: `${app} was signed in on a device`,
        what,
        ifNotYou: 'If you did not start this on a device of your own just now, someone may have sent you the code: revoke its access on Manage applications at once.',
        action: { label: 'Manage applications', url: absolute(issuer, PAGE_PATHS.applications) },
      };
    }
    case 'user.signed_in':
      return {
        subject: 'New sign-in to your account',
        what: [`Your ${product} account was signed in to from a browser it had not been used with before.`],
        ifNotYou: 'If this was not you, sign that session out on your profile and change your password. If it was you, there is nothing to do.',
        action: profile,
      };
    // Issue 21: written by the suspension itself (persistence/stores/app_suspensions.ts), one per person with a live grant.
    case 'app.suspended': {
      const app = typeof d.app === 'string' ? `“${d.app}”` : 'A service you authorized';
      return {
        subject: 'A service you authorized was suspended',
        what: [
          `${app} has been suspended by the platform. It cannot use your account while it is suspended.`,
          'Your authorization is kept: if the platform lifts the suspension, the service works again without asking you.',
        ],
        ifNotYou: 'You can revoke its access at any time, suspended or not, in Manage applications.',
        action: { label: 'Manage applications', url: absolute(issuer, PAGE_PATHS.applications) },
      };
    }
    // Issue 20: the owners answered a member's request to approve a service (services/org_admin.ts answerAppRequests).
    case 'org_app.request_answered': {
      const app = typeof d.app === 'string' ? d.app : 'the service';
      const org = typeof d.org === 'string' ? d.org : 'your organization';
      if (d.answer === 'approved') {
        return {
          subject: `${app} is approved in ${org}`,
          what: [`The owners of ${org} approved ${app}, as you asked. If you authorized it without ${org}, add ${org} to it in Manage applications: it does not need to ask you again.`],
          ifNotYou: 'If you did not ask for this, there is nothing to do: approving a service lets no one act for you.',
          action: { label: 'Manage applications', url: absolute(issuer, PAGE_PATHS.applications) },
        };
      }
      return {
        subject: `${app} was not approved in ${org}`,
        what: [`The owners of ${org} did not approve ${app}, which you asked them to. It cannot act in ${org}; it still can where you and the owners allow it.`],
        ifNotYou: `If you did not ask for this, there is nothing to do. To know why, ask the owners of ${org}.`,
        action: { label: 'Your organizations', url: absolute(issuer, PAGE_PATHS.orgs) },
      };
    }
    case 'org_policy.stopped_services': {
      const org = typeof d.org === 'string' ? d.org : 'An organization';
      const apps = Array.isArray(d.apps) ? d.apps.filter((a): a is string => typeof a === 'string') : [];
      return {
        subject: `Services you use can no longer act in ${org}`,
        what: [
          { intro: `The owners of ${org} changed which services may act there. These can no longer act for you in ${org}:`, list: apps },
          'They keep working where you and other owners allow them. You can ask the owners to approve one.',
        ],
        ifNotYou: 'If you did not expect this, ask the owners of the organization.',
        action: { label: 'Your organizations', url: absolute(issuer, PAGE_PATHS.orgs) },
      };
    }
    default:
      return { subject: `Something changed in your ${product} account`, what: [`Event: ${notice.event}.`], ifNotYou: 'If this was not you, review your account.', action: profile };
  }
}

/**
 * What an operator's `tessera user reset-second-factor` removed (its event's detail): two-step
 * verification, passkeys, or both; an account left without a password was mailed a link to set one.
 */
function secondFactorResetTold(d: Record<string, unknown>, profile: Told['action'], product: string): Told {
  const passkeys = typeof d.passkeys_removed === 'number' ? d.passkeys_removed : 0;
  // Events from before passkeys name no `totp`: TOTP was all an operator removed then.
  const totp = d.totp !== false;
  const removed = [totp ? 'two-step verification (the authenticator app and its recovery codes)' : '', passkeys > 0 ? (passkeys === 1 ? 'its passkey' : `its ${passkeys} passkeys`) : ''].filter((x) => x !== '');
  const then =
    d.password_link === true
      ? 'Your account had no password, so we sent you a separate message with a link to set one. Until then nobody can sign in to it.'
      : 'Signing in takes only the password until you add a second factor again on your profile.';
  return {
    subject: 'Your second factor was removed by an administrator',
    what: [`An administrator removed ${removed.join(' and ')} from your ${product} account. ${then}`],
    ifNotYou: 'If you did not ask for this, tell your administrator at once, change your password, and add a second factor again on your profile.',
    action: profile,
  };
}

/** "A new service authorized (its name, what it may do, where; a link to Manage applications)." */
function grantTold(d: Record<string, unknown>, issuer: string, product: string): Told {
  const app = typeof d.app === 'string' ? d.app : 'A service';
  const scopes = Array.isArray(d.scopes) ? d.scopes.filter((s): s is string => typeof s === 'string') : [];
  const what: Paragraph[] = [d.widened === true ? `You gave ${app} more access to your ${product} account.` : `You authorized ${app} to use your ${product} account.`];
  if (scopes.length > 0) what.push({ intro: d.widened === true ? 'It may now:' : 'It may:', list: scopes.map((s) => SCOPES[s]?.description ?? s) });
  // Only the platform's scopes reach into organizations; a sign-in-only grant is in none.
  if (scopes.some((s) => SCOPES[s]?.kind === 'platform')) {
    // `orgs` null: every organization, as a grant's org_ids NULL means (domain/grants.ts).
    if (d.orgs === null) what.push('In every organization you belong to, now and later.');
    else if (Array.isArray(d.orgs)) {
      const orgs = d.orgs.filter((s): s is string => typeof s === 'string');
      what.push(orgs.length === 0 ? 'In none of your organizations.' : `Only in these organizations: ${orgs.join(', ')}.`);
    }
  }
  return {
    subject: d.widened === true ? `${app} was given more access to your account` : `${app} can now use your ${product} account`,
    what,
    ifNotYou: 'If this was not you, revoke its access on Manage applications and change your password.',
    action: { label: 'Manage applications', url: absolute(issuer, PAGE_PATHS.applications) },
  };
}

/** What a recovery code was used for, as the event's `via` says (services/accounts/second_factor.ts). */
function recoveryUse(via: unknown): string {
  if (via === 'sign_in') return ' to sign in';
  if (via === 'reset_password' || via === 'password_reset') return ' to reset your password';
  return '';
}

function factsOf(notice: NoticeData): [string, string][] {
  const facts: [string, string][] = [['When', formatTime(notice.at)]];
  if (notice.browser !== null) facts.push(['Browser', notice.browser]);
  if (notice.ip !== null) facts.push(['IP address', notice.ip]);
  return facts;
}
