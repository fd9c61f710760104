/**
 * A pending authorization request, kept while the person signs in and decides. The request's
 * validated parameters live here, never in the form, so nothing the browser posts can change them.
 */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state?: string;
  nonce?: string;
  codeChallenge: string;
  /** RFC 9449 §10: the DPoP key thumbprint the code is bound to. */
  dpopJkt?: string;
  prompt: string[];
  maxAge?: number;
  /** The person an `id_token_hint` named (OIDC Core §3.1.2.1): someone else signed in must sign in again. */
  hintSubject?: string;
  /** Whether `redirect_uri` was sent; the token request must then repeat it (RFC 6749 §4.1.3). */
  redirectUriSent: boolean;
  /**
   * A check that failed before the person signed in. It is sent to the redirect URI only once they
   * have (RFC 9700 §4.11.2, SECURITY 3), so an anonymous visitor cannot use us as a redirector.
   */
  refused?: { error: string; description: string };
}

export interface Interaction {
  id: string;
  appId: string;
  request: AuthorizationRequest;
  sessionId: string | null;
  createdAt: number;
  expiresAt: number;
  consumedAt: number | null;
  /**
   * When the person passed the "This service has not been verified" page (issue 20); null or
   * absent until then. Only an unverified service asking for a high-privilege scope shows it.
   */
  warnedAt?: number | null;
}

export interface InteractionStore {
  create(interaction: Interaction): Promise<void>;
  find(id: string): Promise<Interaction | undefined>;
  bindSession(id: string, sessionId: string): Promise<void>;
  /** Records that the person passed the unverified-service warning (a used interaction is left alone). */
  passWarning(id: string, now: number): Promise<void>;
  /** Marks it used; false when it already was (a replayed approval). */
  consume(id: string, now: number): Promise<boolean>;
}

/**
 * Longest `state` kept and echoed (SECURITY 29); longer is invalid_request. Generous for any JSON
 * or JWT a client keeps in state; far below common URL limits (8 kB).
 */
export const MAX_STATE_LENGTH = 4096;

/** Longest `nonce` kept and copied into the ID token (oauth/authorize/check_nonce.ts). */
export const MAX_NONCE_LENGTH = 1024;
