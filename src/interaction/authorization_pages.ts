/**
 * The pages the authorization endpoint shows (src/oauth/authorize/pages.ts): its error page,
 * the sign-in page and the approval page, as this area renders them.
 * @module
 */
import type { Deps } from '../deps.ts';
import type { AuthorizationPages } from '../oauth/authorize/pages.ts';
import { registerPageErrors, sendErrorPage } from './views/error_page.tsx';
import { sendSignInPage } from './login/page.tsx';
import { sendApprovalPage } from './consent/page.tsx';

export function authorizationPages(deps: Deps): AuthorizationPages {
  return {
    registerErrors: registerPageErrors,
    error: (reply, error, app) => sendErrorPage(reply, error, { service: app }),
    signIn: (reply, page) => sendSignInPage(deps, reply, page),
    approval: (reply, page) => sendApprovalPage(deps, reply, page),
  };
}
