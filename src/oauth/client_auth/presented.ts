/** What a request claims about its client, as each authentication method reads it (RFC 6749 §2.3). */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

/** What the request claims: who the client is and how it proves it. */
export interface PresentedClient {
  method: ClientAuthMethod;
  clientId: string;
  secret?: string;
}
