/** Where work-account sign-in lives. The callback is what an operator registers at the directory. */
export const WORK_PATH = '/login/directory';
export const START_PATH = '/login/directory/start';
export const CALLBACK_PATH = '/login/directory/callback';

/** The redirect URI Tessera uses at every directory (printed by `tessera directory add`). */
export function callbackUrl(issuer: string): string {
  return issuer + CALLBACK_PATH;
}

export function startUrl(directoryId: string, interactionId: string | undefined, loginHint: string | undefined): string {
  const query = new URLSearchParams({ directory: directoryId });
  if (interactionId !== undefined) query.set('interaction', interactionId);
  if (loginHint !== undefined) query.set('login_hint', loginHint);
  return `${START_PATH}?${query}`;
}
