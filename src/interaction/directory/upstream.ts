/**
 * Tessera as a client of a company directory (OpenID Connect Core §3.1, code flow), through
 * openid-client. Everything the upstream says is checked here (SECURITY 47):
 * - discovery refuses a metadata document whose `issuer` is not the configured one (RFC 8414 §3.3,
 *   SECURITY 5), and the ID token's `iss` must be the issuer the transaction began with;
 * - `state`, `nonce` and an S256 PKCE verifier belong to one transaction (./transaction.ts);
 * - the ID token is validated in full: signature against the directory's JWKS
 *   (`enableNonRepudiationChecks`: without it openid-client trusts the TLS channel and skips the
 *   signature, OIDC Core §3.1.3.7 step 6), `alg` (never `none`), `iss`, `aud`/`azp`, `exp`, `iat`,
 *   `nonce` and a non-empty `sub`;
 * - an unknown `kid` refetches the JWKS at most once a minute (oauth4webapi's cache; SECURITY 49);
 * - every outbound call has a timeout and follows no redirect (oauth4webapi sends
 *   `redirect: 'manual'` and refuses a non-200 answer; SECURITY 49).
 * Failures become one error class with a fixed public text; the reason goes to the log only.
 * @module
 */
import * as oidc from 'openid-client';
import type { Directory, DirectoryTransaction } from '../../domain/directories.ts';
import { issuerProblem } from '../../domain/directories.ts';
import { unsealDirectorySecret, upstreamRandom } from '../../crypto/directory_secrets.ts';

/** Seconds any one outbound call to a directory may take (SECURITY 49: "an error within 10 s"). */
export const UPSTREAM_TIMEOUT_SECONDS = 5;
/** Discovery results (and the JWKS cache tied to them) are kept this long per directory. */
const CONFIGURATION_TTL_SECONDS = 600;
const SCOPE = 'openid email profile';
/** After a failed discovery, seconds before a directory is asked again. */
const DISCOVERY_RETRY_SECONDS = 10;

/** Anything that went wrong with the directory; `reason` is for the log, never for the page. */
export class UpstreamFailure extends Error {
  override name = 'UpstreamFailure';
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
  }
}

export interface UpstreamIdentity {
  issuer: string;
  subject: string;
  email: string;
  name: string;
  /**
   * The directory says the person owns `email` (OIDC Core §5.1 `email_verified: true`, from the
   * same place as the email: the ID token, or UserInfo). Anything but a JSON true is false.
   */
  emailVerified: boolean;
}

interface Cached {
  config: oidc.Configuration;
  /** What the configuration was built from: a directory re-added with other values gets a new one. */
  fingerprint: string;
  at: number;
}

export class DirectoryClients {
  private readonly cache = new Map<string, Cached>();
  /** When discovery last failed per directory: a directory that is down is not asked again at once. */
  private readonly failedAt = new Map<string, number>();

  constructor(
    private readonly kek: Buffer,
    private readonly now: () => number,
    /** Seconds per outbound call; tests of a hanging directory may shorten it. */
    public timeoutSeconds = UPSTREAM_TIMEOUT_SECONDS,
  ) {}

  /** The directory's configuration: discovered once, then reused so its JWKS cache lives on. */
  private async configuration(directory: Directory): Promise<oidc.Configuration> {
    const fingerprint = `${directory.issuer}\n${directory.clientId}\n${directory.clientSecretSealed}`;
    const cached = this.cache.get(directory.id);
    if (cached && cached.fingerprint === fingerprint && this.now() - cached.at < CONFIGURATION_TTL_SECONDS) return cached.config;
    const problem = issuerProblem(directory.issuer);
    if (problem) throw new UpstreamFailure(`issuer ${problem}`);
    let secret: string;
    try {
      secret = unsealDirectorySecret(this.kek, directory.id, directory.clientSecretSealed);
    } catch (err) {
      throw new UpstreamFailure('client secret does not open with this key-encryption key', { cause: err });
    }
    // SECURITY 49: while a directory is down, sign-ins fail fast instead of each waiting out the timeout.
    const failed = this.failedAt.get(directory.id);
    if (failed !== undefined && this.now() - failed < DISCOVERY_RETRY_SECONDS) throw new UpstreamFailure('discovery failed moments ago; not retried yet');
    const insecure = new URL(directory.issuer).protocol === 'http:';
    let config: oidc.Configuration;
    try {
      config = await oidc.discovery(new URL(directory.issuer), directory.clientId, undefined, oidc.ClientSecretBasic(secret), {
        timeout: this.timeoutSeconds,
        // http only reaches here for a loopback issuer (issuerProblem above).
        execute: [...(insecure ? [oidc.allowInsecureRequests] : []), oidc.enableNonRepudiationChecks],
      });
    } catch (err) {
      this.failedAt.set(directory.id, this.now());
      throw new UpstreamFailure(`discovery failed: ${describe(err)}`, { cause: err });
    }
    this.failedAt.delete(directory.id);
    config.timeout = this.timeoutSeconds;
    this.cache.set(directory.id, { config, fingerprint, at: this.now() });
    return config;
  }

  /** Begins a sign-in: the authorization URL and the secrets the transaction must keep. */
  async begin(
    directory: Directory,
    redirectUri: string,
    loginHint: string | undefined,
  ): Promise<{ url: string; issuer: string; state: string; nonce: string; codeVerifier: string }> {
    const config = await this.configuration(directory);
    const state = upstreamRandom();
    const nonce = upstreamRandom();
    const codeVerifier = upstreamRandom();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: SCOPE,
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      ...(loginHint ? { login_hint: loginHint } : {}),
    });
    return { url: url.href, issuer: config.serverMetadata().issuer, state, nonce, codeVerifier };
  }

  /**
   * Finishes a sign-in: validates the authorization response against the transaction, redeems
   * the code, validates the ID token, and names the person by (issuer, subject).
   */
  async finish(directory: Directory, transaction: DirectoryTransaction, callbackUrl: URL): Promise<UpstreamIdentity> {
    const config = await this.configuration(directory);
    // SECURITY 5: the transaction answers to the issuer it began with, and to no other.
    // (A directory re-added with another issuer gets a new configuration: see `fingerprint`.)
    if (config.serverMetadata().issuer !== transaction.issuer) {
      throw new UpstreamFailure('the directory issuer changed during the sign-in');
    }
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: transaction.codeVerifier,
        expectedState: transaction.state,
        expectedNonce: transaction.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      throw new UpstreamFailure(`authorization response or ID token refused: ${describe(err)}`, { cause: err });
    }
    const claims = tokens.claims();
    if (!claims || typeof claims.sub !== 'string' || claims.sub === '' || claims.sub.length > 255) {
      throw new UpstreamFailure('ID token without a usable sub');
    }
    if (claims.iss !== transaction.issuer) throw new UpstreamFailure('ID token from another issuer');
    let email = typeof claims.email === 'string' ? claims.email : undefined;
    let emailVerified = email !== undefined && claims.email_verified === true;
    let name = typeof claims.name === 'string' ? claims.name : undefined;
    if ((email === undefined || name === undefined) && config.serverMetadata().userinfo_endpoint) {
      // Some providers put profile claims only in UserInfo when an access token is issued; these
      // claims are for display and for the address's verification, never for finding the account
      // (SECURITY 48).
      try {
        const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
        if (email === undefined && typeof info.email === 'string') {
          email = info.email;
          emailVerified = info.email_verified === true;
        }
        name ??= typeof info.name === 'string' ? info.name : undefined;
      } catch {
        // Display claims only: sign-in goes on without them.
      }
    }
    const shown = (value: string | undefined, max: number) => (value ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim().slice(0, max);
    const cleanEmail = shown(email, 254);
    return {
      issuer: claims.iss,
      subject: claims.sub,
      email: cleanEmail,
      name: shown(name, 100) || cleanEmail || 'Work account',
      // Vouched for as it was sent: an address we had to clean is not the one the directory verified.
      emailVerified: emailVerified && cleanEmail !== '' && cleanEmail === email,
    };
  }
}

/** A log-safe summary of a library error (its code and message; no tokens). */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
  return `${typeof code === 'string' ? code + ': ' : ''}${err.message}${cause}`;
}
