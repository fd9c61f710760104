/**
 * The words of every mail Tessera sends (issue 15): a short plain-text part in plain words, and an
 * HTML part saying the same. Each is rendered when it is sent, from the intent stored in the outbox
 * (domain/mail.ts); every link is absolute under PUBLIC_URL. A security notice says what happened,
 * when, from which address and browser, and links to the page where the person can undo it.
 * @module
 */
import type { MailIntent, NoticeData } from '../domain/mail.ts';
import type { LinkPurpose } from '../domain/account_links.ts';
import { SCOPES } from '../domain/scopes.ts';
import { formatTime } from '../domain/dates.ts';
import { PAGE_PATHS, absolute } from './links.ts';

export interface RenderContext {
  issuer: string;
  /** The absolute link of a link message (mail/links.ts), recomputed at send time. */
  link?: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
  /** The link the message is about, for the log line of the embedded outbox. */
  link: string | undefined;
}

/** One message as paragraphs and one call to action; both parts are made from it. */
interface Draft {
  subject: string;
  greeting?: string | undefined;
  paragraphs: string[];
  action?: { label: string; url: string } | undefined;
  after?: string[];
}

export function renderMail(message: MailIntent, ctx: RenderContext): RenderedMail {
  const draft = draftOf(message, ctx);
  // A user-chosen name (an organization, a service) ends up in the subject: one line, always.
  const subject = draft.subject.replace(/[\r\n\u2028\u2029]+/g, ' ');
  return { subject, text: textOf(draft), html: htmlOf(draft), link: draft.action?.url };
}

function draftOf(message: MailIntent, ctx: RenderContext): Draft {
  const url = (path: string) => absolute(ctx.issuer, path);
  switch (message.kind) {
    case 'verify_email':
    case 'reset_password':
    case 'change_email':
      return linkDraft(message.kind, message.data.name, message.to, message.data.expiresAt, linkOf(ctx));
    case 'reset_unknown':
      return {
        subject: 'Password reset requested',
        paragraphs: [
          `Someone asked to reset the Tessera password for ${message.to}, but no account uses this address.`,
          'If it was you, you may have signed up with another address. If it was not you, you can ignore this message.',
        ],
        action: { label: 'Go to the sign-in page', url: url(PAGE_PATHS.signIn) },
      };
    case 'reset_work_account':
      return {
        subject: 'Password reset requested',
        paragraphs: [
          `Someone asked to reset the Tessera password for ${message.to}. This is a work account: you sign in through ${message.data.directory}, and Tessera keeps no password for it.`,
          'To change your password, use your company’s own password reset, or ask your IT team.',
        ],
      };
    case 'address_taken':
      return {
        subject: 'Someone tried to use this address on Tessera',
        paragraphs: [
          `Someone asked to make ${message.to} the address of another Tessera account. It is already the address of an account, so nothing changed.`,
          'If it was you, sign in with this address instead. If not, you can ignore this message.',
        ],
        action: { label: 'Go to the sign-in page', url: url(PAGE_PATHS.signIn) },
      };
    case 'invitation': {
      const { orgName, role, invitedBy, expiresAt } = message.data;
      return {
        subject: `You are invited to join ${orgName} on Tessera`,
        paragraphs: [
          `${invitedBy ?? 'An administrator'} invited ${message.to} to join the organization ${orgName} as ${role === 'owner' ? 'an owner' : 'a member'}.`,
          `To accept, sign in (or create an account) with this address, confirm the address, and open Organizations. The invitation ends on ${formatTime(expiresAt)}.`,
        ],
        action: { label: 'See the invitation', url: url(PAGE_PATHS.orgs) },
        after: ['If you do not know this organization, ignore this message: nothing happens unless you accept.'],
      };
    }
    case 'notice':
      return noticeDraft(message.data, message.to, ctx.issuer);
  }
}

function linkOf(ctx: RenderContext): string {
  if (ctx.link === undefined) throw new Error('a link message was rendered without its link');
  return ctx.link;
}

function linkDraft(purpose: LinkPurpose, name: string, to: string, expiresAt: number, link: string): Draft {
  const until = `It works once, until ${formatTime(expiresAt)}.`;
  switch (purpose) {
    case 'verify_email':
      return {
        subject: 'Confirm your email address',
        greeting: name,
        paragraphs: [`Confirm that ${to} is your address, so that organizations can invite you with it.`, until],
        action: { label: 'Confirm my address', url: link },
        after: ['If you did not create a Tessera account, ignore this message.'],
      };
    case 'reset_password':
      return {
        subject: 'Reset your Tessera password',
        greeting: name,
        paragraphs: ['Someone (we hope you) asked to reset your password. Choose a new one with this link.', `${until} Setting a new password signs you out everywhere.`],
        action: { label: 'Choose a new password', url: link },
        after: ['If you did not ask for this, ignore this message: your password stays as it is.'],
      };
    case 'change_email':
      return {
        subject: 'Confirm your new email address',
        greeting: name,
        paragraphs: [`Confirm ${to} as the new address of your Tessera account. Until you do, nothing changes.`, until],
        action: { label: 'Confirm my new address', url: link },
        after: ['If you did not ask for this, ignore this message.'],
      };
  }
}

/** What each notice says happened, and where to undo it. */
function noticeDraft(notice: NoticeData, to: string, issuer: string): Draft {
  const d = notice.detail;
  const profile = { label: 'Review your account', url: absolute(issuer, PAGE_PATHS.profile) };
  const reset = `If this was not you, reset your password now: ${absolute(issuer, PAGE_PATHS.forgotPassword)}`;
  let subject: string;
  let what: string[];
  let action = profile;
  switch (notice.event) {
    case 'user.password_changed':
      subject = 'Your password was changed';
      what = ['The password of your Tessera account was changed. Your other sessions were signed out.', reset];
      break;
    case 'user.password_reset':
      subject = 'Your password was reset';
      what = ['The password of your Tessera account was reset with a link sent to this address. Every session was signed out.', reset];
      break;
    case 'user.totp_enabled':
      subject = 'Two-step verification was turned on';
      what = ['Two-step verification with an authenticator app was turned on for your account.', 'If this was not you, review your account and change your password.'];
      break;
    case 'user.totp_disabled':
      subject = 'Two-step verification was turned off';
      what = ['Two-step verification was turned off for your account. Signing in now needs only your password.', 'If this was not you, change your password and turn it on again.'];
      break;
    case 'user.recovery_code_used':
      subject = 'A recovery code was used';
      what = [
        `One of your recovery codes was used to sign in${typeof d.remaining === 'number' ? `; ${d.remaining} remain` : ''}. Each code works once.`,
        'If this was not you, someone has your password and a recovery code: change your password and make new codes.',
      ];
      break;
    case 'user.second_factor_reset':
      subject = 'Your second factor was removed by an administrator';
      what = ['An administrator removed two-step verification from your account, as you or your organization asked. Signing in needs only your password until you set it up again.'];
      break;
    case 'user.email_changed':
      subject = 'The email address of your account was changed';
      what = [`The address of your Tessera account was changed from ${to} to ${String(d.new_email ?? 'another address')}. Mail about the account now goes there.`, 'If this was not you, contact your administrator at once.'];
      break;
    case 'user.passkey_added':
      subject = 'A passkey was added to your account';
      what = [`A passkey${typeof d.name === 'string' ? ` named “${d.name}”` : ''} can now sign in to your account.`, 'If this was not you, remove it on your profile and change your password.'];
      break;
    case 'user.passkey_removed':
      subject = 'A passkey was removed from your account';
      what = [`A passkey${typeof d.name === 'string' ? ` named “${d.name}”` : ''} was removed from your account.`];
      break;
    case 'grant.approved': {
      const app = typeof d.app === 'string' ? d.app : 'A service';
      subject = `${app} can now act for you`;
      what = [`You authorized ${app}.`, ...grantLines(d), 'If this was not you, revoke it on Manage applications.'];
      action = { label: 'Manage applications', url: absolute(issuer, PAGE_PATHS.applications) };
      break;
    }
    case 'user.signed_in':
      subject = 'New sign-in to your account';
      what = ['Your account was signed in to from a browser it had not used before.', 'If this was not you, sign that session out on your profile and change your password.'];
      break;
    default:
      subject = 'Something changed in your account';
      what = [`Event: ${notice.event}.`];
  }
  return { subject, paragraphs: [...what, whenAndWhere(notice)], action };
}

function grantLines(d: Record<string, unknown>): string[] {
  const lines: string[] = [];
  const scopes = Array.isArray(d.scopes) ? d.scopes.filter((s): s is string => typeof s === 'string') : [];
  if (scopes.length > 0) lines.push(`It may: ${scopes.map((s) => SCOPES[s]?.description.replace(/\.$/, '') ?? s).join('; ')}.`);
  const orgs = Array.isArray(d.orgs) ? d.orgs.filter((s): s is string => typeof s === 'string') : [];
  if (orgs.length > 0) lines.push(`In: ${orgs.join(', ')}.`);
  else if (d.orgs === null) lines.push('In: every organization you belong to.');
  return lines;
}

function whenAndWhere(notice: NoticeData): string {
  const from = [notice.browser, notice.ip === null ? undefined : `address ${notice.ip}`].filter(Boolean).join(', ');
  return `When: ${formatTime(notice.at)}${from ? `. From: ${from}` : ''}.`;
}

function textOf(draft: Draft): string {
  const parts = [draft.greeting ? `Hello ${draft.greeting},` : undefined, ...draft.paragraphs, draft.action ? `${draft.action.label}: ${draft.action.url}` : undefined, ...(draft.after ?? []), '— Tessera'];
  return parts.filter((p): p is string => p !== undefined).join('\n\n') + '\n';
}

function htmlOf(draft: Draft): string {
  const p = (text: string) => `<p style="margin:0 0 16px">${escapeHtml(text)}</p>`;
  const action = draft.action
    ? `<p style="margin:0 0 16px"><a href="${escapeHtml(draft.action.url)}" style="display:inline-block;padding:10px 16px;background:#1f4fd1;color:#ffffff;text-decoration:none;border-radius:6px">${escapeHtml(draft.action.label)}</a></p>` +
      `<p style="margin:0 0 16px;font-size:13px;color:#555">Or copy this address: ${escapeHtml(draft.action.url)}</p>`
    : '';
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    `<title>${escapeHtml(draft.subject)}</title></head>`,
    '<body style="margin:0;padding:24px;font-family:system-ui,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a;max-width:560px">',
    draft.greeting ? p(`Hello ${draft.greeting},`) : '',
    ...draft.paragraphs.map(p),
    action,
    ...(draft.after ?? []).map(p),
    '<p style="margin:0;color:#555">— Tessera</p></body></html>',
  ].join('');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
