/**
 * The owners' confirmation before a new third-party mode stops services acting for members
 * (issue 20): which services, for how many members, and that those members will be told. Nothing
 * changes until "Save and stop them" is posted.
 */
import { Layout } from '../views/layout.tsx';
import { ORG_PATHS } from './paths.ts';
import { MODE_TEXT } from './settings_view.tsx';
import { counted } from '../../domain/words.ts';
import type { PolicyConfirmation } from './members.ts';

export interface PolicyConfirmProps {
  org: { slug: string; name: string };
  confirmation: PolicyConfirmation;
  token: string;
  logoutToken: string;
}

export function PolicyConfirmView({ org, confirmation: c, token, logoutToken }: PolicyConfirmProps) {
  const title = `This stops ${counted(c.services.length, 'service')} used by ${counted(c.people, 'member')}`;
  return (
    <Layout title={`${org.name}: ${title}`} account={{ logoutToken }}>
      <h1>{title}</h1>
      <p>
        You chose “{MODE_TEXT[c.mode].label}” for {org.name}. From the next call, these services can no longer act in {org.name}:
      </p>
      <ul class="stopped-services">
        {c.services.map((s) => (
          <li key={s.name}>
            <strong>{s.name}</strong>, for {counted(s.people, 'member')}
          </li>
        ))}
      </ul>
      <p>Each of those members is told which of their services stopped, on their profile and by mail.</p>
      <form method="post" action={ORG_PATHS.settingsForm(org.slug, 'policy')} class="decision">
        <input type="hidden" name="token" value={token} />
        <input type="hidden" name="third_party" value={c.mode} />
        <input type="hidden" name="confirm" value="yes" />
        <button type="submit" class="danger">
          Save and stop them
        </button>
        <a class="button secondary" href={ORG_PATHS.settings(org.slug)}>
          Cancel
        </a>
      </form>
    </Layout>
  );
}
