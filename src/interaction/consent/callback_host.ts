/**
 * Whether an approval sends the person back somewhere other than the service's website (issue 20,
 * trust signals): the approval page then says so in a plain sentence. The callback counts as the
 * website's when its host is the website's host (without a leading `www.`) or a name below it
 * (app.planwise.example for planwise.example). A native app's private-use scheme and a loopback
 * callback (RFC 8252) have no website to match, and a service without a website has nothing to
 * compare: no sentence for those.
 */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface ElsewhereCallback {
  /** The callback's host, as the page names it. */
  callback: string;
  /** The website's host, as the page names it. */
  website: string;
}

export function callbackElsewhere(redirectUri: string, website: string | undefined): ElsewhereCallback | undefined {
  if (website === undefined) return undefined;
  let callback: URL;
  let site: URL;
  try {
    callback = new URL(redirectUri);
    site = new URL(website);
  } catch {
    return undefined;
  }
  if (callback.protocol !== 'https:' && callback.protocol !== 'http:') return undefined;
  if (LOOPBACK.has(callback.hostname)) return undefined;
  const home = site.hostname.replace(/^www\./, '');
  const host = callback.hostname;
  if (host === home || host.endsWith(`.${home}`)) return undefined;
  return { callback: callback.host, website: site.host };
}
