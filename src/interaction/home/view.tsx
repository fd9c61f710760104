/** The signed-in home page (no pending authorization); the sign-out pages are in ../logout/view.tsx. */
import { Layout } from '../views/layout.tsx';

export interface SignOutFormProps {
  token: string;
}

export function SignOutForm({ token }: SignOutFormProps) {
  return (
    <form method="post" action="/logout/confirm">
      <input type="hidden" name="token" value={token} />
      <button type="submit">Sign out</button>
    </form>
  );
}

export function HomeView({ name, email, logoutToken }: { name: string; email: string; logoutToken: string }) {
  return (
    <Layout title="Signed in">
      <h1>Signed in</h1>
      <p>
        You are signed in as <strong>{name}</strong> ({email}).
      </p>
      <p>
        <a href="/profile">Your profile</a>
      </p>
      <p>
        <a href="/orgs">Your organizations</a>
      </p>
      <SignOutForm token={logoutToken} />
    </Layout>
  );
}
