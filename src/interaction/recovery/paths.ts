/** Where account recovery lives: the paths mail links open (mail/links.ts), so the two cannot drift apart. */
import { LINK_PATHS, PAGE_PATHS } from '../../mail/links.ts';

export const FORGOT_PATH = PAGE_PATHS.forgotPassword;
export const RESET_PATH = LINK_PATHS.reset_password;
/** Where a reset ends: the sign-in page, saying the password changed. */
export const AFTER_RESET = `${PAGE_PATHS.signIn}?reset=1`;
