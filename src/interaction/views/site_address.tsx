/**
 * "You are signing in at id.example.com" (issue 20, trust signals): the address of this Tessera in
 * words, on the pages that ask for a password or an approval, so a person knows what their
 * browser's address bar must show. The host comes from the configured issuer (PUBLIC_URL), never
 * from the request's Host header, which anyone can set.
 */
export function siteHost(issuer: string): string {
  return new URL(issuer).host;
}

export function SiteAddress({ host }: { host: string }) {
  return (
    <p class="site-address">
      You are signing in at <strong>{host}</strong>. Check that your browser’s address bar shows this address.
    </p>
  );
}
