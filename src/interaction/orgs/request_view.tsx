/**
 * The approval-request page: which service (name, publisher, verified or not — SECURITY 27),
 * which organization, where things stand, and a "Request approval" button when asking makes
 * sense. All of it is escaped by preact.
 */
import { Layout } from '../views/layout.tsx';
import { ORG_PATHS } from './paths.ts';
import { Messages } from '../views/messages.tsx';
import { PublisherLine } from './shared_view.tsx';
import { ScopeLines, type ScopeText } from '../views/scope_lines.tsx';

/**
 * `can_request`: "approved only" and not approved; `pending`: this person asked already;
 * `allowed`: it may act already; `cut_off`: the owners cut it off; `denied_all`: no services at all.
 */
export type RequestState = 'can_request' | 'pending' | 'allowed' | 'cut_off' | 'denied_all';

export interface RequestViewProps {
  org: { slug: string; name: string };
  app: { name: string; publisher: string; verified: boolean; description: string };
  /** What the service may ask for (its registered scopes): what the owners would let in. */
  scopes: ScopeText[];
  state: RequestState;
  isOwner: boolean;
  requestedAt?: string;
  action: string;
  token: string;
  logoutToken: string;
  notice?: string;
  /** Opened from an approval page (in a new tab): say how to finish there. */
  fromApproval?: boolean;
}

function Standing({ p }: { p: RequestViewProps }) {
  const { app, org } = p;
  switch (p.state) {
    case 'allowed':
      return <p>{`${app.name} can act in ${org.name}; there is nothing to ask.`}</p>;
    case 'cut_off':
      return <p class="warning">{`The owners of ${org.name} have cut ${app.name} off. Talk to them if you need it.`}</p>;
    case 'denied_all':
      return <p class="warning">{`${org.name} allows no third-party services. Talk to its owners if you need ${app.name}.`}</p>;
    case 'pending':
      return <p>{`You asked the owners on ${p.requestedAt ?? 'an earlier visit'}. They have not answered yet.`}</p>;
    case 'can_request':
      return p.isOwner ? (
        <p>
          {`${org.name} lets in only services its owners approved. As an owner, you can approve ${app.name} in the `}
          <a href={ORG_PATHS.settings(org.slug)}>settings</a>.
        </p>
      ) : (
        <>
          <p>{`${org.name} lets in only services its owners approved, and ${app.name} is not one of them yet. You can ask the owners to approve it.`}</p>
          <form method="post" action={p.action}>
            <input type="hidden" name="token" value={p.token} />
            <button type="submit">Request approval</button>
          </form>
        </>
      );
  }
}

export function RequestView(p: RequestViewProps) {
  return (
    <Layout title={`Approval of ${p.app.name} in ${p.org.name}`} account={{ logoutToken: p.logoutToken }}>
      <h1>
        <strong>{p.app.name}</strong> in {p.org.name}
      </h1>
      <p class="publisher">
        <PublisherLine publisher={p.app.publisher} verified={p.app.verified} />
      </p>
      {p.app.description !== '' && <p>{p.app.description}</p>}
      <Messages notice={p.notice} />
      <h2>What it may ask for</h2>
      <p class="hint">Approved in {p.org.name}, it may ask any member for these, and act there with what each one allows.</p>
      <ScopeLines scopes={p.scopes} />
      <Standing p={p} />
      {p.fromApproval === true && (
        <p class="hint from-approval">
          {`The approval page of ${p.app.name} is still open in the tab you came from: you can finish it there without ${p.org.name}. Once the owners approve, you are told, and you can add ${p.org.name} from Manage applications without starting over.`}
        </p>
      )}
      <p>
        <a href={ORG_PATHS.overview(p.org.slug)}>{`About ${p.org.name}`}</a>
      </p>
    </Layout>
  );
}
