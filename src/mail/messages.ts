/**
 * The words of every mail Tessera sends (issue 15): a short plain-text part in plain words, and an
 * HTML part saying the same. Each is rendered when it is sent, from the intent stored in the outbox
 * (domain/mail.ts); every link is absolute under PUBLIC_URL. Security notices have their words in
 * mail/notices.ts, and mail/draft.ts makes both parts of every message from one draft.
 * @module
 */
import type { MailIntent } from '../domain/mail.ts';
import type { LinkPurpose } from '../domain/account_links.ts';
import { formatTime } from '../domain/dates.ts';
import { PAGE_PATHS, absolute } from './links.ts';
import { htmlOf, textOf, type Draft } from './draft.ts';
import { noticeDraft } from './notices.ts';

export interface RenderContext {
  issuer: string;
  /** The platform's name (PRODUCT_NAME), which signs the message. */
  productName: string;
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

export function renderMail(message: MailIntent, ctx: RenderContext): RenderedMail {
  const draft = draftOf(message, ctx);
  // A user-chosen name (an organization, a service) ends up in the subject: one line, always.
  const subject = draft.subject.replace(/[\r\n\u2028\u2029]+/g, ' ');
  return { subject, text: textOf(draft, ctx.productName), html: htmlOf(draft, ctx.productName), link: draft.action?.url };
}

function draftOf(message: MailIntent, ctx: RenderContext): Draft {
  const url = (path: string) => absolute(ctx.issuer, path);
  const product = ctx.productName;
  switch (message.kind) {
    case 'verify_email':
    case 'reset_password':
    case 'change_email':
      return linkDraft(message.kind, message.data.name, message.to, message.data.expiresAt, linkOf(ctx), product);
    case 'reset_unknown':
      return {
        subject: 'Password reset requested',
        paragraphs: [
          `Someone asked to reset the ${product} password for ${message.to}, but no account uses this address.`,
          'If it was you, you may have signed up with another address. If it was not you, you can ignore this message.',
        ],
        action: { label: 'Go to the sign-in page', url: url(PAGE_PATHS.signIn) },
      };
    case 'reset_work_account':
      return {
        subject: 'Password reset requested',
        paragraphs: [
          `Someone asked to reset the ${product} password for ${message.to}. This is a work account: you sign in through ${message.data.directory}, and ${product} keeps no password for it.`,
          'To change your password, use your company’s own password reset, or ask your IT team.',
        ],
      };
    case 'reset_passkey_account':
      return {
        subject: 'Password reset requested',
        paragraphs: [
          `Someone asked to reset the ${product} password for ${message.to}. Your account has no password: it signs in with a passkey, so there is nothing to reset.`,
          'To sign in, use your passkey on the sign-in page. If you lost every passkey of your account, ask your administrator: after checking who you are, they can remove the passkeys and send you a link to set a password.',
        ],
        action: { label: 'Go to the sign-in page', url: url(PAGE_PATHS.signIn) },
        after: ['If you did not ask for this, you can ignore this message: nothing changed.'],
      };
    case 'signup_taken':
      return {
        subject: `Someone tried to create a ${product} account with this address`,
        paragraphs: [
          `Someone tried to create a ${product} account with ${message.to}. This address already has an account, so no new one was made.`,
          'If it was you, sign in with this address. If you forgot your password, you can reset it.',
        ],
        action: { label: 'Go to the sign-in page', url: url(PAGE_PATHS.signIn) },
        after: [`Forgot your password? ${url(PAGE_PATHS.forgotPassword)}`, 'If it was not you, you can ignore this message: nothing changed.'],
      };
    case 'address_taken':
      return {
        subject: `Someone tried to use this address on ${product}`,
        paragraphs: [
          `Someone asked to make ${message.to} the address of another ${product} account. It is already the address of an account, so nothing changed.`,
          'If it was you, sign in with this address instead. If not, you can ignore this message.',
        ],
        action: { label: 'Go to the sign-in page', url: url(PAGE_PATHS.signIn) },
      };
    case 'invitation': {
      const { orgName, role, invitedBy, expiresAt } = message.data;
      return {
        subject: `You are invited to join ${orgName} on ${product}`,
        paragraphs: [
          `${invitedBy ?? 'An administrator'} invited ${message.to} to join the organization ${orgName} as ${role === 'owner' ? 'an owner' : 'a member'}.`,
          `To accept, sign in (or create an account) with this address, confirm the address, and open Organizations. The invitation ends on ${formatTime(expiresAt)}.`,
        ],
        action: { label: 'See the invitation', url: url(PAGE_PATHS.orgs) },
        after: ['If you do not know this organization, ignore this message: nothing happens unless you accept.'],
      };
    }
    case 'notice':
      return noticeDraft(message.data, message.to, ctx.issuer, product);
  }
}

function linkOf(ctx: RenderContext): string {
  if (ctx.link === undefined) throw new Error('a link message was rendered without its link');
  return ctx.link;
}

/** `product`: the platform's name as people know it (PRODUCT_NAME). */
function linkDraft(purpose: LinkPurpose, name: string, to: string, expiresAt: number, link: string, product: string): Draft {
  const until = `It works once, until ${formatTime(expiresAt)}.`;
  switch (purpose) {
    case 'verify_email':
      return {
        subject: 'Confirm your email address',
        greeting: name,
        paragraphs: [`Confirm that ${to} is your address, so that organizations can invite you with it.`, until],
        action: { label: 'Confirm my address', url: link },
        after: [`If you did not create a ${product} account, ignore this message.`],
      };
    case 'reset_password':
      return {
        subject: `Reset your ${product} password`,
        greeting: name,
        paragraphs: ['Someone (we hope you) asked to reset your password. Choose a new one with this link.', `${until} Setting a new password signs you out everywhere.`],
        action: { label: 'Choose a new password', url: link },
        after: ['If you did not ask for this, ignore this message: your password stays as it is.'],
      };
    case 'change_email':
      return {
        subject: 'Confirm your new email address',
        greeting: name,
        paragraphs: [`Confirm ${to} as the new address of your ${product} account. Until you do, nothing changes.`, until],
        action: { label: 'Confirm my new address', url: link },
        after: ['If you did not ask for this, ignore this message.'],
      };
  }
}
