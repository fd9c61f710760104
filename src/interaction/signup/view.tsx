/** The sign-up form: name, email, password. */
import { Layout } from '../views/layout.tsx';

export interface SignUpViewProps {
  token: string;
  interactionId?: string;
  name?: string;
  email?: string;
  problem?: string;
}

export function SignUpView({ token, interactionId, name, email, problem }: SignUpViewProps) {
  const back = interactionId === undefined ? '/login' : `/login?${new URLSearchParams({ interaction: interactionId })}`;
  return (
    <Layout title="Create account">
      <h1>Create your account</h1>
      {problem !== undefined && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      <form method="post" action="/signup">
        {interactionId !== undefined && <input type="hidden" name="interaction" value={interactionId} />}
        <input type="hidden" name="token" value={token} />
        <label>
          Name
          <input type="text" name="name" autocomplete="name" required maxlength={100} value={name ?? ''} />
        </label>
        <label>
          Email
          <input type="email" name="email" autocomplete="username" required value={email ?? ''} />
        </label>
        <label>
          Password
          <input type="password" name="password" autocomplete="new-password" required minlength={8} />
        </label>
        <p class="hint">At least 8 characters. Any characters; a long phrase is best.</p>
        <button type="submit">Create account</button>
      </form>
      <p>
        Already have an account? <a href={back}>Sign in</a>
      </p>
    </Layout>
  );
}
