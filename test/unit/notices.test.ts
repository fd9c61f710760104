/**
 * Which audit events are security notices, and to whom (src/domain/notices.ts), and what each one
 * says (src/mail/notices.ts, through renderMail): pure, no database. The same notices are sent
 * end to end over SMTP in test/mail/notices.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { noticeFor } from '../../src/domain/notices.ts';
import { renderMail } from '../../src/mail/messages.ts';
import type { AuditEvent } from '../../src/domain/audit.ts';

const NOW = 1_796_000_000; // 2026-11-30 00:53 UTC
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0';
const ISSUER = 'https://id.example.com';

/** Mailed whenever they happen (issue 15's list: password, second factor, recovery code, address, passkeys). */
const ALWAYS = [
  'user.password_changed',
  'user.password_reset',
  'user.totp_enabled',
  'user.totp_disabled',
  'user.recovery_code_used',
  'user.second_factor_reset',
  'user.email_changed',
  'user.passkey_added',
  'user.passkey_removed',
];

const event = (type: string, detail?: Record<string, unknown>): AuditEvent => ({ type, userId: 'u1', ip: '203.0.113.9', userAgent: FIREFOX, ...(detail ? { detail } : {}) });

describe('noticeFor', () => {
  it('every event the issue lists is a notice, with when, the address and the browser', () => {
    for (const type of ALWAYS) {
      const notice = noticeFor(event(type), NOW);
      assert.ok(notice, type);
      assert.deepEqual(notice.data, { event: type, at: NOW, ip: '203.0.113.9', browser: 'Firefox on Linux', detail: {} });
    }
  });

  it('a new service or more access is a notice; approving the same again is not', () => {
    assert.ok(noticeFor(event('grant.approved', { app: 'Planner', first: true }), NOW));
    assert.ok(noticeFor(event('grant.approved', { app: 'Planner', widened: true }), NOW));
    assert.equal(noticeFor(event('grant.approved', { app: 'Planner', scopes: ['openid'] }), NOW), undefined);
    assert.equal(noticeFor(event('grant.approved', { first: 'true' }), NOW), undefined, 'only the boolean counts');
  });

  it('a sign-in is a notice only from a new browser', () => {
    assert.ok(noticeFor(event('user.signed_in', { amr: ['pwd'], new_browser: true }), NOW));
    assert.equal(noticeFor(event('user.signed_in', { amr: ['pwd'] }), NOW), undefined);
  });

  it('other events, and events of no account, are not notices', () => {
    for (const type of ['user.renamed', 'user.signed_out', 'user.sign_in_failed', 'grant.revoked', 'grant.narrowed', 'user.email_verified', 'app.created']) {
      assert.equal(noticeFor(event(type), NOW), undefined, type);
    }
    assert.equal(noticeFor({ type: 'user.password_changed', userId: null }, NOW), undefined);
  });

  it("a change of address goes to the old address; everything else to the account's own", () => {
    const changed = noticeFor(event('user.email_changed', { old_email: 'old@example.com', new_email: 'new@example.com' }), NOW);
    assert.equal(changed?.to, 'old@example.com');
    assert.equal(noticeFor(event('user.password_changed'), NOW)?.to, undefined);
  });

  it('a change made without a browser (the command line) names none', () => {
    const notice = noticeFor({ type: 'user.second_factor_reset', userId: 'u1', detail: { via: 'cli' } }, NOW);
    assert.equal(notice?.data.browser, null);
    assert.equal(notice?.data.ip, null);
  });
});

describe('the words of each notice', () => {
  const render = (type: string, detail?: Record<string, unknown>, from: Partial<AuditEvent> = {}) => {
    const notice = noticeFor({ ...event(type, detail), ...from }, NOW);
    assert.ok(notice, type);
    return renderMail({ kind: 'notice', to: notice.to ?? 'ann@example.com', userId: 'u1', data: notice.data }, { issuer: ISSUER, productName: 'Tessera' });
  };

  it('each says what happened, when (UTC), from where, and links under PUBLIC_URL to undo it, in text and HTML', () => {
    const all: [string, Record<string, unknown>?][] = [
      ...ALWAYS.map((type): [string] => [type]),
      ['grant.approved', { app: 'Planner', first: true, scopes: ['openid'], orgs: null }],
      ['user.signed_in', { amr: ['pwd'], new_browser: true }],
      ['org_app.request_answered', { app: 'Planner', org: 'Acme', org_slug: 'acme', answer: 'approved' }],
      ['org_app.request_answered', { app: 'Planner', org: 'Acme', org_slug: 'acme', answer: 'denied' }],
      ['org_policy.stopped_services', { org: 'Acme', org_slug: 'acme', apps: ['Planner', 'Sprint'], mode: 'approved' }],
    ];
    const subjects = new Set<string>();
    for (const [type, detail] of all) {
      const mail = render(type, detail);
      subjects.add(mail.subject);
      assert.match(mail.text, /When: 2026-11-30 00:53 UTC\nBrowser: Firefox on Linux\nIP address: 203\.0\.113\.9/, type);
      assert.match(mail.text, /If (this was|you did) not/, type);
      assert.ok(mail.link?.startsWith(`${ISSUER}/`), `${type}: ${mail.link}`);
      assert.ok(mail.text.includes(mail.link!), type);
      assert.ok(mail.html.includes(`<a href="${mail.link}"`), type);
      assert.match(mail.html, /<strong>When:<\/strong> 2026-11-30 00:53 UTC/, type);
      assert.doesNotMatch(mail.text + mail.html + mail.subject, /undefined|null|\[object|Event:/, type);
    }
    assert.equal(subjects.size, all.length, 'each kind has its own subject');
  });

  it('without a browser or address, only the time', () => {
    const mail = render('user.second_factor_reset', { via: 'cli' }, { ip: null, userAgent: null });
    assert.match(mail.text, /When: 2026-11-30 00:53 UTC\n\n/);
    assert.doesNotMatch(mail.text, /Browser:|IP address:/);
  });

  it('a new service: its name, each permission in plain words, and where; a sign-in-only service names no organization', () => {
    const mail = render('grant.approved', { app: 'Planner', first: true, scopes: ['openid', 'workitems:write'], orgs: ['Globex', 'Initech'] });
    assert.equal(mail.subject, 'Planner can now use your Tessera account');
    assert.match(mail.text, /It may:\n- Confirm who you are\.\n- Create, change and delete work items in your organizations\.\n\nOnly in these organizations: Globex, Initech\./);
    assert.equal(mail.link, `${ISSUER}/profile/applications`);
    assert.match(mail.html, /<li>Confirm who you are\.<\/li>/);
    const everywhere = render('grant.approved', { app: 'Planner', widened: true, scopes: ['full_access'], orgs: null });
    assert.equal(everywhere.subject, 'Planner was given more access to your account');
    assert.match(everywhere.text, /It may now:\n- Do everything/);
    assert.match(everywhere.text, /In every organization you belong to, now and later\./);
    const signInOnly = render('grant.approved', { app: 'Planner', first: true, scopes: ['openid', 'email'], orgs: null });
    assert.doesNotMatch(signInOnly.text, /organization/);
  });

  it("the owners' answer to a request: approved leads to Manage applications to add the organization; not approved says so", () => {
    const approved = render('org_app.request_answered', { app: 'Planner', org: 'Acme', org_slug: 'acme', answer: 'approved' });
    assert.equal(approved.subject, 'Planner is approved in Acme');
    assert.match(approved.text, /The owners of Acme approved Planner, as you asked\. If you authorized it without Acme, add Acme to it in Manage applications/);
    assert.equal(approved.link, `${ISSUER}/profile/applications`);
    const denied = render('org_app.request_answered', { app: 'Planner', org: 'Acme', org_slug: 'acme', answer: 'denied' });
    assert.equal(denied.subject, 'Planner was not approved in Acme');
    assert.match(denied.text, /did not approve Planner, which you asked them to\. It cannot act in Acme/);
    assert.equal(denied.link, `${ISSUER}/orgs`);
  });

  it("the owners' new policy: which services stopped acting for the person, and where", () => {
    const mail = render('org_policy.stopped_services', { org: 'Acme', org_slug: 'acme', apps: ['Planner', 'Sprint'], mode: 'approved' });
    assert.equal(mail.subject, 'Services you use can no longer act in Acme');
    assert.match(mail.text, /These can no longer act for you in Acme:\n- Planner\n- Sprint/);
    assert.equal(mail.link, `${ISSUER}/orgs`);
  });

  it('a name chosen by a developer stays one line in the subject and is escaped in HTML', () => {
    const mail = render('grant.approved', { app: 'Evil\r\nBcc: x@example.com <b>', first: true, scopes: ['openid'], orgs: null });
    assert.doesNotMatch(mail.subject, /[\r\n]/);
    assert.doesNotMatch(mail.html, /<b>/);
  });

  it('the change of address names both addresses; a recovery code says how many are left', () => {
    const changed = render('user.email_changed', { old_email: 'old@example.com', new_email: 'new@example.com' });
    assert.match(changed.text, /changed from old@example\.com to new@example\.com/);
    assert.match(render('user.recovery_code_used', { remaining: 7, via: 'sign_in' }).text, /used to sign in\. 7 codes are left/);
    assert.match(render('user.recovery_code_used', { remaining: 1 }).text, /1 code is left/);
  });
});
