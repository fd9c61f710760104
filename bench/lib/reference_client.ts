/** The client, person and resource registered identically on every server under test. */
export const CLIENT = {
  redirectUri: 'https://app.example/cb',
  secret: 'bench-secret-' + 'x'.repeat(32),
};
export const EMAIL = 'ada@example.com';
export const PASSWORD = 'correct horse battery staple';
/** One PKCE pair for every pre-minted code: verifying it costs the same whichever code carries it. */
export const VERIFIER = 'bench-verifier-0123456789abcdefghijklmnopqrstuvwxyz';
