/**
 * The one authority over accounts (issue 13): every way into Tessera — the sign-in page, its
 * two-step code, a work account's return from its directory, sign-up, the profile, the CLI — calls
 * this service, and nothing else signs in, creates accounts, changes passwords, turns factors on
 * or off, or ends sessions. Each operation writes its audit event; a session is stored together
 * with the event that explains it (one transaction).
 *
 * It knows nothing of HTTP: a new session comes back as its cookie value, which
 * src/http/signed_in.ts alone sets on the answer.
 * @module
 */
import { CAUSES } from '../../domain/security_events.ts';
import type { Clock } from '../../clock.ts';
import type { Config } from '../../config/config.ts';
import type { Stores } from '../../domain/stores.ts';
import type { Throttles } from '../../caches/throttles.ts';
import type { Directory } from '../../domain/directories.ts';
import type { PendingSignIn } from '../../domain/sessions.ts';
import type { User } from '../../domain/users.ts';
import { actorDetail, type Actor } from '../../domain/audit.ts';
import { normalizeEmail } from '../../domain/users.ts';
import { digest } from '../../crypto/digest.ts';
import { newBrowserBinding } from '../../crypto/account_links.ts';
import { hashPassword, verifyPassword } from '../../crypto/passwords.ts';
import { matchTotp, newPendingToken, newTotpSecret } from '../../crypto/totp.ts';
import { clientNetwork } from '../../caches/throttles.ts';
import { findSignedIn, openSession, sessionIdOf, signedInRecently, type ClientInfo, type OpenedSession, type SignedIn } from './sessions.ts';
import { checkCredentials } from './credentials.ts';
import { throttledSignIn } from './sign_in_throttle.ts';
import { FACTOR_FAILURE_LIMIT, FACTOR_WINDOW_SECONDS, checkLimitedSecondFactor, checkSecondFactor, hasSecondFactor, newRecoveryCodes, sealSecret, unsealSecret } from './second_factor.ts';
import { passwordProblem, type PasswordProblem } from './password_policy.ts';
import { findOrCreateAccount, type WorkIdentity } from './work_accounts.ts';
import { SIGN_UP_AMR, SIGN_UP_LINK_DETAIL, linkSignIn } from './link_sign_in.ts';
import * as recovery from './recovery.ts';
import * as passkeys from './passkeys.ts';
import * as passkeySignIn from './passkey_sign_in.ts';
import * as passkeyRegistration from './passkey_registration.ts';
import {
  changeLinkState,
  changeRequestProblem,
  confirmEmailChange,
  resendVerification,
  sendChangeLink,
  tellOwnerOfSignUp,
  verificationRows,
  verifyEmail,
  verifyLinkState,
  type ChangeOutcome,
  type ChangeRequestProblem,
  type ResendOutcome,
  type VerifyOutcome,
} from './email.ts';

/** How long the step between the password and the second factor lasts. */
export const PENDING_SECONDS = 300;
/** Wrong codes allowed on one pending sign-in; then the password must be given again. */
export const PENDING_ATTEMPTS = 5;
export { FACTOR_FAILURE_LIMIT, FACTOR_WINDOW_SECONDS } from './second_factor.ts';

/** RFC 8176 has no value for federation; "fed" is the one providers use (e.g. Microsoft Entra ID). */
export const FEDERATED_AMR = ['fed'];

export interface AccountsDeps {
  config: Config;
  clock: Clock;
  stores: Stores;
  throttles: Throttles;
  formKey: Buffer;
}

/** Who is asking, and which session (its digest) the browser presented, to be replaced. */
export interface Caller extends ClientInfo {
  presentedSession?: string | undefined;
}

/** Where a sign-in continues: an authorization in progress, or a path on our own origin. */
export interface Continuation {
  interactionId: string | null;
  returnTo: string | null;
}

export type PasswordSignIn =
  | { kind: 'session'; user: User; opened: OpenedSession }
  | { kind: 'second_factor'; pendingValue: string }
  | { kind: 'throttled'; retryAfter: number }
  | { kind: 'failed' };

export type SecondFactorSignIn =
  | { kind: 'session'; user: User; opened: OpenedSession; continuation: Continuation }
  | { kind: 'throttled'; retryAfter: number }
  | { kind: 'wrong' }
  /** The pending sign-in is gone (used, expired, too many wrong codes): give the password again. */
  | { kind: 'restart' };

export type PasswordCheck = { kind: 'ok' } | { kind: 'throttled'; retryAfter: number } | { kind: 'wrong' };
/** A new password the policy refuses (length, common passwords): nothing was checked or changed. */
export type WeakPassword = { kind: 'weak'; problem: PasswordProblem };

export class Accounts {
  constructor(private readonly deps: AccountsDeps) {}

  /** The live session behind a cookie value, with its person. */
  async signedIn(cookieValue: string | undefined): Promise<SignedIn | undefined> {
    const id = sessionIdOf(cookieValue);
    return id === undefined ? undefined : findSignedIn(this.deps, id);
  }

  /**
   * Email and password (SECURITY 32–35). Throttled before the password is hashed; a person with
   * a second factor gets no session here but a pending sign-in, finished by `completeSecondFactor`.
   */
  async signInWithPassword(email: string | undefined, password: string | undefined, next: Continuation, caller: Caller): Promise<PasswordSignIn> {
    let named: User | undefined;
    const { user, retryAfter } = await throttledSignIn(this.deps.throttles, email, caller.ip, async () => {
      const checked = await checkCredentials(this.deps, email, password);
      named = checked.named;
      return checked.user;
    });
    if (retryAfter !== undefined) return { kind: 'throttled', retryAfter };
    if (!user) {
      // Against the account the email names, so the person sees it among their security events;
      // an unknown email is recorded without a person, at the same cost (SECURITY 33).
      await this.deps.stores.audit.record({ type: 'user.sign_in_failed', userId: named?.id ?? null, ip: caller.ip }, this.deps.clock.now());
      return { kind: 'failed' };
    }
    if (await hasSecondFactor(this.deps, user.id)) return { kind: 'second_factor', pendingValue: await this.startPending(user.id, next) };
    return { kind: 'session', user, opened: await this.open(user, ['pwd'], caller) };
  }

  /** The pending sign-in behind its cookie value, if it is still good. */
  async pending(pendingValue: string | undefined): Promise<PendingSignIn | undefined> {
    if (!pendingValue || pendingValue.length !== 43) return undefined;
    return this.deps.stores.sessions.findPending(digest(pendingValue), this.deps.clock.now());
  }

  /**
   * The second step (RFC 6238 code or a recovery code). Wrong codes count per account in the
   * database (FACTOR_FAILURE_LIMIT) and per pending sign-in (PENDING_ATTEMPTS); a recovery code
   * used is recorded and mailed (second_factor.ts, checkLimitedSecondFactor).
   */
  async completeSecondFactor(pending: PendingSignIn, code: string | undefined, caller: Caller): Promise<SecondFactorSignIn> {
    const { stores, clock } = this.deps;
    const user = await stores.users.findById(pending.userId);
    if (!user || user.disabledAt !== null) return { kind: 'restart' };
    const now = clock.now();
    const checked = await checkLimitedSecondFactor(this.deps, user.id, code, caller, 'sign_in');
    if (checked.kind === 'throttled') return checked;
    if (checked.kind === 'wrong') {
      await stores.audit.record({ type: 'user.sign_in_failed', userId: user.id, ip: caller.ip, detail: { step: 'otp' } }, now);
      if ((await stores.sessions.countPendingAttempt(pending.id)) >= PENDING_ATTEMPTS) {
        await stores.sessions.consumePending(pending.id, now);
        return { kind: 'restart' };
      }
      return checked.retryAfter === undefined ? { kind: 'wrong' } : { kind: 'throttled', retryAfter: checked.retryAfter };
    }
    if (!(await stores.sessions.consumePending(pending.id, now))) return { kind: 'restart' };
    await stores.sessions.clearFactorFailures(user.id);
    const opened = await this.open(user, ['pwd', 'otp'], caller);
    return { kind: 'session', user, opened, continuation: { interactionId: pending.interactionId, returnTo: pending.returnTo } };
  }

  /**
   * A work account back from its directory, already checked there (SECURITY 47–49): the account
   * of (issuer, subject), made on first sign-in, its address verified while the directory vouches
   * for it, and a new session with `amr` ["fed"]. A disabled account gets none.
   */
  async signInWorkAccount(directory: Directory, identity: WorkIdentity, caller: Caller): Promise<{ user: User; opened: OpenedSession } | undefined> {
    const user = await findOrCreateAccount(this.deps, directory, identity, caller.ip);
    if (user.disabledAt !== null) return undefined;
    return { user, opened: await this.open(user, FEDERATED_AMR, caller, { directory: directory.id }) };
  }

  /**
   * Sign-up: a new personal account, unverified until the person proves the address. Every
   * attempt costs an argon2 hash, so it takes room from the per-address sign-in budget and never
   * gives it back: one address cannot flood us with accounts or hashing (SECURITY 32). A taken
   * email creates nothing and looks the same to the caller (SECURITY 33).
   *
   * `browserValue` goes in the signing-up browser's cookie (issue 20): with it, the verification
   * link signs the new account in (`verifyEmail`, link_sign_in.ts) and continues the pending
   * authorization `interactionId`. A taken address gets one of the same shape, stored nowhere.
   */
  async signUp(
    input: { email: string; name: string; password: string },
    caller: Caller,
    interactionId: string | null = null,
  ): Promise<{ kind: 'done'; browserValue: string } | { kind: 'throttled'; retryAfter: number }> {
    const wait = this.deps.throttles.loginPerIp.take(clientNetwork(caller.ip));
    if (wait > 0) return { kind: 'throttled', retryAfter: wait };
    const binding = newBrowserBinding();
    // A taken address gets a word to its owner instead of a link: the same answer and the same work (SECURITY 33).
    const created = await this.createAccount({ ...input, via: 'signup', signUp: { browserDigest: binding.digest, interactionId } }, caller.ip);
    if (!created) await tellOwnerOfSignUp(this.deps, input.email);
    return { kind: 'done', browserValue: binding.value };
  }

  /**
   * A new personal account; undefined when the email is taken. `via` is who vouches for it: an
   * operator (the CLI, the demo) vouches for the address, so it counts as verified; an address
   * given at sign-up is unverified until the person proves it (issue 13, defect 7) with the link
   * mailed to it. The account, its audit event, and at sign-up the link and its mail, are written
   * in one transaction: no crash leaves an account whose link was never mailed (issue 15).
   */
  async createAccount(
    input: {
      email: string;
      name: string;
      password: string | null;
      via: 'signup' | 'cli' | 'demo';
      passkey?: passkeyRegistration.NewAccountPasskey;
      /** A password sign-up's browser binding and pending authorization, kept with its link (issue 20). */
      signUp?: { browserDigest: string; interactionId: string | null };
    },
    ip: string | null = null,
  ): Promise<User | undefined> {
    const now = this.deps.clock.now();
    // No password (null): a passkey-only account (issue 16), which no password ever opens; its passkey is written with it.
    const passwordHash = input.password === null ? null : await hashPassword(input.password);
    const fields = { email: normalizeEmail(input.email), name: input.name, passwordHash, emailVerified: input.via !== 'signup' };
    return this.deps.stores.users.create(fields, now, (user) => ({
      ...(input.via === 'signup'
        ? { event: { type: 'user.signed_up', userId: user.id, ip }, ...verificationRows(user, now, input.signUp) }
        : { event: { type: 'user.created', userId: user.id, ip, detail: { via: input.via } } }),
      ...(input.passkey ? { passkey: input.passkey(user) } : {}),
    }));
  }

  /** Whether the verification link `value` can be used now; writes nothing (GET /verify-email). */
  verifyLinkState(value: string | undefined) {
    return verifyLinkState(this.deps, value);
  }

  /**
   * Proves the address with the link mailed to it; works signed in or not (the link names the
   * account). A sign-up's link used in the browser that signed up (`browserValue`, its cookie)
   * also signs the new account in, with `amr` ["pwd"] and the sign-up's `auth_time`
   * (link_sign_in.ts), through this service's one way of opening a session; the session's event
   * says so (`via: signup_link`). Anywhere else the address is verified and nobody is signed in.
   */
  async verifyEmail(value: string | undefined, caller: Caller, browserValue?: string): Promise<VerifyOutcome | { kind: 'signed_in'; user: User; opened: OpenedSession; continuation: Continuation }> {
    const outcome = await verifyEmail(this.deps, value, caller);
    if (outcome.kind !== 'verified' || browserValue === undefined) return outcome;
    const allowed = await linkSignIn(this.deps, outcome.link, outcome.user, browserValue);
    if (!allowed) return outcome;
    const opened = await this.open(outcome.user, SIGN_UP_AMR, caller, SIGN_UP_LINK_DETAIL, allowed.authTime);
    return { kind: 'signed_in', user: outcome.user, opened, continuation: { interactionId: allowed.interactionId, returnTo: null } };
  }

  /** "Send the link again", throttled per account (email.ts RESEND_GAP_SECONDS, RESEND_PER_DAY). */
  resendVerification(user: User): Promise<ResendOutcome> {
    return resendVerification(this.deps, user);
  }

  /**
   * A change of address (issue 15): needs a recent sign-in and the current password, and mails a
   * link to the new address; the address changes only when the link is used. An address that has
   * an account answers the same, and its owner is told instead.
   */
  async requestEmailChange(signedIn: SignedIn, rawEmail: string | undefined, password: string | undefined, caller: Caller): Promise<{ kind: 'sent'; to: string } | { kind: 'stale_sign_in' } | ChangeRequestProblem | PasswordCheck> {
    const newEmail = normalizeEmail(rawEmail ?? '');
    const problem = await changeRequestProblem(this.deps, signedIn.user, newEmail);
    if (problem !== undefined) return problem;
    if (!signedInRecently(this.deps, signedIn.session)) return { kind: 'stale_sign_in' };
    const checked = await this.confirmPassword(signedIn.user, password, caller);
    if (checked.kind !== 'ok') return checked;
    await sendChangeLink(this.deps, signedIn.user, newEmail, caller);
    return { kind: 'sent', to: newEmail };
  }

  /** Whether the change-of-address link `value` can be used now by `user`; writes nothing. */
  changeLinkState(value: string | undefined, user: User) {
    return changeLinkState(this.deps, value, user);
  }

  /** Uses a change-of-address link: the address changes, verified, and the old one gets a notice. */
  confirmEmailChange(value: string | undefined, user: User, caller: Caller): Promise<ChangeOutcome> {
    return confirmEmailChange(this.deps, value, user, caller);
  }

  /**
   * The person's own password, asked again before something sensitive; throttled like a sign-in
   * (SECURITY 32), so the profile cannot be used to guess it.
   */
  async confirmPassword(user: User, password: string | undefined, caller: Caller): Promise<PasswordCheck> {
    const checked = await throttledSignIn(this.deps.throttles, user.email, caller.ip, async () => ((await verifyPassword(user.passwordHash, password ?? '')) ? user : undefined));
    if (checked.retryAfter !== undefined) return { kind: 'throttled', retryAfter: checked.retryAfter };
    return checked.user ? { kind: 'ok' } : { kind: 'wrong' };
  }

  /**
   * A new password, after the current one: every other session and refresh token of the person
   * ends in the same transaction (SECURITY 37).
   */
  async changePassword(signedIn: SignedIn, current: string | undefined, next: string, caller: Caller): Promise<PasswordCheck | WeakPassword> {
    const problem = passwordProblem(next);
    if (problem !== undefined) return { kind: 'weak', problem };
    const checked = await this.confirmPassword(signedIn.user, current, caller);
    if (checked.kind !== 'ok') return checked;
    const now = this.deps.clock.now();
    // The event (and its notice) is written in the change's own transaction (issue 15).
    const event = { type: 'user.password_changed', userId: signedIn.user.id, ip: caller.ip, userAgent: caller.userAgent };
    await this.deps.stores.users.changePassword(signedIn.user.id, await hashPassword(next), signedIn.session.id, now, event);
    return checked;
  }

  /** A new TOTP secret, not yet on; false when TOTP is on already. */
  async startTotp(user: User): Promise<boolean> {
    return this.deps.stores.users.startTotp(user.id, sealSecret(this.deps, user.id, newTotpSecret()), this.deps.clock.now());
  }

  /** The unconfirmed secret in clear, for the setup page; undefined when there is none. */
  async totpSetupSecret(user: User): Promise<string | undefined> {
    const totp = await this.deps.stores.users.findTotp(user.id);
    return totp && totp.enabledAt === null ? unsealSecret(this.deps, user.id, totp.secretSealed) : undefined;
  }

  /**
   * Turns TOTP on with a first code from the app: the recovery codes to show once, 'wrong', or
   * 'none' when there is no secret waiting.
   */
  async confirmTotp(user: User, code: string | undefined, caller: Caller): Promise<{ codes: string[] } | 'wrong' | 'none'> {
    const secret = await this.totpSetupSecret(user);
    if (secret === undefined) return 'none';
    const now = this.deps.clock.now();
    const step = matchTotp(secret, (code ?? '').replace(/\s/g, ''), now, null);
    if (step === undefined) return 'wrong';
    const { codes, digests } = newRecoveryCodes();
    const event = { type: 'user.totp_enabled', userId: user.id, ip: caller.ip, userAgent: caller.userAgent };
    if (!(await this.deps.stores.users.enableTotp(user.id, step, digests, now, event))) return 'none';
    return { codes };
  }

  /**
   * Turns TOTP off. It takes both factors: the password and a current code (or a recovery code),
   * so a stolen password alone can never remove the second factor (issue 13, defect 1). Wrong
   * codes count against the account's second-factor limit.
   */
  async disableTotp(user: User, password: string | undefined, code: string | undefined, caller: Caller): Promise<PasswordCheck | { kind: 'wrong_code' }> {
    const checked = await this.confirmPassword(user, password, caller);
    if (checked.kind !== 'ok') return checked;
    const now = this.deps.clock.now();
    const before = await this.deps.stores.sessions.countFactorFailures(user.id, now, FACTOR_WINDOW_SECONDS);
    if (before.failures >= FACTOR_FAILURE_LIMIT) return { kind: 'throttled', retryAfter: this.factorRetryAfter(before.windowStartedAt) };
    if ((await checkSecondFactor(this.deps, user.id, code)) === undefined) {
      await this.deps.stores.sessions.recordFactorFailure(user.id, now, FACTOR_WINDOW_SECONDS);
      return { kind: 'wrong_code' };
    }
    await this.deps.stores.users.disableTotp(user.id, now, { type: 'user.totp_disabled', userId: user.id, ip: caller.ip, userAgent: caller.userAgent });
    return checked;
  }

  /**
   * Disables an account (SECURITY 37): no sign-in, every session ends in the same transaction as
   * the flag, and every live authorization is revoked as on "Manage applications" (its refresh
   * tokens die, its access tokens go on the denylist). Running it again revokes whatever a crash
   * left live. `accessTokenTtl` bounds how long a denylist entry must stay.
   */
  async disableAccount(user: User, via: string | Actor, accessTokenTtl: number): Promise<{ sessionsEnded: number; grantsRevoked: number }> {
    const { stores, clock } = this.deps;
    const now = clock.now();
    const { sessionsEnded } = await stores.users.disable(user.id, now);
    let grantsRevoked = 0;
    for (const grant of await stores.grants.listLive(user.id, now)) {
      if (await stores.grants.revoke(grant.id, now, now + accessTokenTtl, CAUSES.accountDisabled)) grantsRevoked++;
    }
    await stores.audit.record({ type: 'user.disabled', userId: user.id, detail: { ...actorDetail(via), sessions_ended: sessionsEnded, grants_revoked: grantsRevoked } }, now);
    return { sessionsEnded, grantsRevoked };
  }

  /** Lets a disabled account sign in again; false when it was not disabled. Revoked authorizations stay revoked. */
  async enableAccount(user: User, via: string | Actor): Promise<boolean> {
    const now = this.deps.clock.now();
    if (!(await this.deps.stores.users.enable(user.id, now))) return false;
    await this.deps.stores.audit.record({ type: 'user.enabled', userId: user.id, detail: actorDetail(via) }, now);
    return true;
  }

  /**
   * Makes the account a platform operator, or no longer one (issue 21, `tessera user admin`), with
   * its audit event (`user.operator_granted` / `user.operator_revoked`) in the same transaction;
   * false when it already was (or was not) one.
   */
  async setPlatformOperator(user: User, operator: boolean, actor: Actor): Promise<boolean> {
    const type = operator ? 'user.operator_granted' : 'user.operator_revoked';
    return this.deps.stores.users.setPlatformOperator(user.id, operator, this.deps.clock.now(), { type, userId: user.id, detail: actorDetail(actor) });
  }

  /**
   * Ends every live session of the account (an operator's "End all sessions", issue 21), each
   * with its logout tokens (persistence/stores/session_endings.ts), and records
   * `user.sessions_ended` in the same transaction; the number ended.
   */
  async endSessionsOf(user: User, actor: Actor): Promise<number> {
    const now = this.deps.clock.now();
    return this.deps.stores.sessions.endAllOf(user.id, now, (ended) => ({ type: 'user.sessions_ended', userId: user.id, detail: { ...actorDetail(actor), sessions_ended: ended } }));
  }

  /**
   * "Forgot your password?" (issue 15): one message to the address whatever it names, throttled
   * per network (429) and per address (nothing more is written; the answer is the same).
   */
  async requestPasswordReset(email: string | undefined, caller: Caller): Promise<recovery.ResetRequest> {
    return recovery.requestPasswordReset(this.deps, email, caller);
  }

  /** A reset link's page: whether the link is good, without using it (mail scanners open links). */
  async checkResetLink(linkValue: string | undefined): Promise<recovery.ResetLink> {
    return recovery.checkResetLink(this.deps, linkValue);
  }

  /** A new password through a reset link, with the second factor when the account has one; every session ends. */
  async resetPassword(linkValue: string | undefined, password: string, code: string | undefined, caller: Caller): Promise<recovery.PasswordReset> {
    return recovery.resetPassword(this.deps, linkValue, password, code, caller);
  }

  /** A reset whose second factor is a passkey, first step: the link and the password checked, a challenge bound to both the link and the account. */
  passkeyResetOptions(linkValue: string | undefined, password: string): Promise<recovery.PasskeyResetOptions> {
    return recovery.passkeyResetOptions(this.deps, linkValue, password);
  }

  /** A new password through a reset link, one of the account's passkeys as the second factor; every session ends. */
  resetPasswordWithPasskey(linkValue: string | undefined, password: string, credential: unknown, caller: Caller): Promise<recovery.PasskeyReset> {
    return recovery.resetPasswordWithPasskey(this.deps, linkValue, password, credential, caller);
  }

  /**
   * An operator removes lost second factors (`tessera user reset-second-factor`): TOTP, recovery
   * codes and passkeys; an account without a password is mailed a link to set one. Undefined when there is none.
   */
  async resetSecondFactor(user: User, via: string | Actor): Promise<recovery.SecondFactorReset | undefined> {
    return recovery.resetSecondFactor(this.deps, user, via);
  }

  /** Ends the caller's own session (sign-out); `appId` names the service it returns to, if any. */
  async signOut(signedIn: SignedIn | undefined, presentedSession: string | undefined, caller: Caller, appId?: string): Promise<void> {
    const now = this.deps.clock.now();
    if (presentedSession) await this.deps.stores.sessions.end(presentedSession, now);
    if (signedIn) await this.deps.stores.audit.record({ type: 'user.signed_out', userId: signedIn.user.id, ip: caller.ip, ...(appId ? { appId } : {}) }, now);
  }

  /** Ends one of the person's sessions (another device); false when it was not theirs or not live. */
  async endOwnSession(user: User, sessionId: string, device: string, caller: Caller): Promise<boolean> {
    const now = this.deps.clock.now();
    if (!(await this.deps.stores.sessions.endOwn(user.id, sessionId, now))) return false;
    await this.deps.stores.audit.record({ type: 'user.session_ended', userId: user.id, ip: caller.ip, detail: { device } }, now);
    return true;
  }

  // --- Passkeys (issue 16; ./passkeys.ts, ./passkey_sign_in.ts, ./passkey_registration.ts) ---------

  /** Whether the pages offer passkeys: not when PUBLIC_URL's host is an IP address, which cannot be an RP ID. */
  passkeysOffered(): boolean {
    return passkeys.offered(this.deps);
  }

  /** Options for "Sign in with a passkey" and for the email field's autofill (discoverable credentials). */
  passkeySignInOptions(): Promise<passkeys.RequestOptions> {
    return passkeySignIn.signInOptions(this.deps);
  }

  /** A sign-in with a passkey and no password (user verification required), opening a session. */
  signInWithPasskey(credential: unknown, caller: Caller): Promise<passkeySignIn.PasskeySignIn> {
    return passkeySignIn.signInWithPasskey(this.deps, credential, caller, (user, amr, detail) => this.open(user, amr, caller, detail));
  }

  /** Options for a passkey as the second step of `pending`; undefined when the account has none. */
  passkeySecondFactorOptions(pending: PendingSignIn): Promise<passkeys.RequestOptions | undefined> {
    return passkeySignIn.secondFactorOptions(this.deps, pending);
  }

  /** Finishes a pending sign-in with one of the account's passkeys, as `completeSecondFactor` does with a code. */
  async completeSecondFactorWithPasskey(pending: PendingSignIn, credential: unknown, caller: Caller): Promise<passkeySignIn.PasskeySecondFactor & { continuation?: Continuation }> {
    const outcome = await passkeySignIn.completeWithPasskey(this.deps, pending, credential, caller, (user, amr, detail) => this.open(user, amr, caller, detail));
    return outcome.kind === 'session' ? { ...outcome, continuation: { interactionId: pending.interactionId, returnTo: pending.returnTo } } : outcome;
  }

  /** What the second step offers: a code (TOTP and its recovery codes) and/or a passkey. */
  async secondFactorsOf(userId: string): Promise<{ code: boolean; passkey: boolean }> {
    const [totp, count] = await Promise.all([this.deps.stores.users.findTotp(userId), this.deps.stores.passkeys.countForUser(userId)]);
    return { code: totp !== undefined && totp.enabledAt !== null, passkey: count > 0 };
  }

  /** Options to add a passkey to the person's account; undefined for a work account (SECURITY 48). */
  passkeyAddOptions(user: User): Promise<passkeys.CreationOptions | undefined> {
    return passkeyRegistration.addOptions(this.deps, user);
  }

  /** Adds a verified passkey named `name`, with `user.passkey_added` (mailed). The route checks the sign-in is recent. */
  addPasskey(signedIn: SignedIn, name: string | undefined, credential: unknown, caller: Caller): Promise<passkeyRegistration.PasskeyAdded> {
    return passkeyRegistration.addPasskey(this.deps, signedIn, name, credential, caller);
  }

  listPasskeys(user: User) {
    return this.deps.stores.passkeys.listForUser(user.id);
  }

  renamePasskey(user: User, id: string, name: string | undefined): Promise<boolean> {
    return passkeys.renamePasskey(this.deps, user, id, name);
  }

  /** Removes a passkey, never the last way into an account without a password. The route checks the sign-in is recent. */
  removePasskey(user: User, id: string, caller: Caller): Promise<'removed' | 'unknown' | 'last'> {
    return passkeys.removePasskey(this.deps, user, id, caller);
  }

  /**
   * The first step of a passkey-only sign-up: the name and address wait with the challenge. It
   * costs like a sign-up from the per-address budget, never given back (SECURITY 32).
   */
  async passkeySignUpOptions(input: { email: string; name: string }, caller: Caller): Promise<{ kind: 'options'; options: passkeys.CreationOptions } | { kind: 'throttled'; retryAfter: number }> {
    const wait = this.deps.throttles.loginPerIp.take(clientNetwork(caller.ip));
    if (wait > 0) return { kind: 'throttled', retryAfter: wait };
    return { kind: 'options', options: await passkeyRegistration.signUpOptions(this.deps, { email: normalizeEmail(input.email), name: input.name }) };
  }

  /**
   * Finishes a passkey-only sign-up: an account with no password, made like any sign-up (its
   * verification link mailed with it; a taken address gets a word to its owner and the same answer,
   * SECURITY 33), and its passkey, in one transaction.
   */
  signUpWithPasskey(credential: unknown, caller: Caller): Promise<{ kind: 'done' } | passkeys.Refused> {
    return passkeyRegistration.signUpWithPasskey(this.deps, credential, caller, async (input, passkey) => {
      const user = await this.createAccount({ ...input, password: null, via: 'signup', passkey }, caller.ip);
      if (!user) await tellOwnerOfSignUp(this.deps, input.email);
      return user;
    });
  }

  /**
   * Every sign-in ends here (password, second factor, work account, and any way added later), so
   * every one records its browser as known to the account and is told as a new-browser sign-in
   * when it is one (domain/known_browsers.ts).
   */
  private async open(user: User, amr: string[], caller: Caller, detail: Record<string, unknown> = {}, authTime?: number): Promise<OpenedSession> {
    const event = { type: 'user.signed_in', userId: user.id, ip: caller.ip, userAgent: caller.userAgent, detail: { amr, ...detail } };
    return openSession(this.deps, user.id, amr, caller, caller.presentedSession, event, authTime);
  }

  private async startPending(userId: string, next: Continuation): Promise<string> {
    const value = newPendingToken();
    const now = this.deps.clock.now();
    await this.deps.stores.sessions.createPending({ id: digest(value), userId, ...next, attempts: 0, createdAt: now, expiresAt: now + PENDING_SECONDS });
    return value;
  }

  private factorRetryAfter(windowStartedAt: number): number {
    return Math.max(1, windowStartedAt + FACTOR_WINDOW_SECONDS - this.deps.clock.now());
  }
}
