/** Work-account sign-in: pick a directory or give a work email; the hand-over page. */
import { Layout } from '../views/layout.tsx';
import { useBrand } from '../views/brand.tsx';
import { WORK_PATH } from './paths.ts';

export const NO_DIRECTORY = 'No company directory signs in that email address. Check the address, or sign in with a password.';

export function WorkAccountView(props: {
  token: string;
  interactionId?: string;
  email?: string;
  unknownDomain?: boolean;
  directories: { name: string; href: string }[];
}) {
  const back = props.interactionId === undefined ? '/login' : `/login?${new URLSearchParams({ interaction: props.interactionId })}`;
  return (
    <Layout title="Sign in with your work account">
      <h1>Sign in with your work account</h1>
      {props.unknownDomain && (
        <p class="error" role="alert">
          {NO_DIRECTORY}
        </p>
      )}
      <form method="post" action={WORK_PATH}>
        {props.interactionId !== undefined && <input type="hidden" name="interaction" value={props.interactionId} />}
        <input type="hidden" name="token" value={props.token} />
        <label>
          Work email
          <input type="email" name="email" autocomplete="username" required value={props.email ?? ''} />
        </label>
        <button type="submit">Continue</button>
      </form>
      {props.directories.length > 0 && (
        <>
          <p>Or choose your company:</p>
          <ul class="directories">
            {props.directories.map((d) => (
              <li>
                <a href={d.href}>{d.name}</a>
              </li>
            ))}
          </ul>
        </>
      )}
      <p>
        <a href={back}>Sign in with a password instead</a>
      </p>
    </Layout>
  );
}

export function ContinueView({ directoryName, next, passwordHref }: { directoryName: string; next: string; passwordHref: string }) {
  const product = useBrand().name;
  return (
    <Layout title={`Continue to ${directoryName}`}>
      <h1>Continue to {directoryName}</h1>
      <p>Your email belongs to {directoryName}. You sign in there, then come back here.</p>
      <p>
        <a href={next}>Continue to {directoryName}</a>
      </p>
      <p>
        Have a personal {product} account with this email? <a href={passwordHref}>Use a {product} password instead</a>
      </p>
    </Layout>
  );
}
