/** What `tessera demo` seeds: two organizations, three people, projects, work items, a repository and builds. */
import type { Role } from '../domain/organizations.ts';
import type { WorkItemState, WorkItemType } from '../domain/work_items.ts';
import type { BuildStep } from '../domain/builds.ts';

export type Person = 'alice' | 'bob' | 'carol';

export const PEOPLE: readonly { key: Person; email: string; name: string }[] = [
  { key: 'alice', email: 'alice@demo.example.com', name: 'Alice Liddell' },
  { key: 'bob', email: 'bob@demo.example.com', name: 'Bob Builder' },
  { key: 'carol', email: 'carol@demo.example.com', name: 'Carol Danvers' },
];

export const ORGS: readonly { slug: string; name: string; members: readonly [Person, Role][] }[] = [
  { slug: 'acme', name: 'Acme Corp', members: [['alice', 'owner'], ['bob', 'member']] },
  { slug: 'globex', name: 'Globex', members: [['carol', 'owner'], ['alice', 'member']] },
];

export interface DemoItem {
  title: string;
  type: WorkItemType;
  state: WorkItemState;
  assignee: Person | null;
  description: string;
}

export const PROJECTS: readonly { org: string; name: string; description: string; items: readonly DemoItem[] }[] = [
  {
    org: 'acme',
    name: 'Web',
    description: 'The public website and its API client.',
    items: [
      { title: 'Sign-in page forgets the email after a wrong password', type: 'bug', state: 'active', assignee: 'alice', description: 'Keep the address in the field after a failed attempt.' },
      { title: 'Dark mode', type: 'feature', state: 'new', assignee: 'alice', description: 'Follow prefers-color-scheme.' },
      { title: 'Write the README', type: 'task', state: 'new', assignee: 'bob', description: 'The no-todos build fails until the TODO in README.md is gone.' },
      { title: 'Upgrade to Node 22', type: 'task', state: 'resolved', assignee: 'bob', description: '' },
      { title: 'Broken link in the footer', type: 'bug', state: 'closed', assignee: null, description: '' },
    ],
  },
  { org: 'acme', name: 'Mobile', description: 'The phone app.', items: [{ title: 'Push notifications', type: 'feature', state: 'new', assignee: null, description: '' }] },
  {
    org: 'globex',
    name: 'Platform',
    description: 'Shared services.',
    items: [
      { title: 'Rotate the signing keys every quarter', type: 'task', state: 'active', assignee: 'alice', description: '' },
      { title: 'Rate limits per service', type: 'feature', state: 'new', assignee: 'carol', description: '' },
    ],
  },
];

/** acme's repository `web`, and the project whose builds use it. */
export const REPOSITORY = {
  org: 'acme',
  name: 'web',
  project: 'web',
  author: 'alice' as Person,
  files: [
    ['README.md', '# web\n\nThe Acme website.\n\nTODO: explain how to run it.\n'],
    ['src/index.ts', "import { greet } from './greet.ts';\n\nconsole.log(greet('world'));\n"],
    ['src/greet.ts', 'export function greet(name: string): string {\n  return `Hello, ${name}!`;\n}\n'],
  ] as const,
};

export const DEFINITIONS: readonly { name: string; steps: BuildStep[] }[] = [
  {
    name: 'check',
    steps: [{ run: 'checkout' }, { run: 'require-file', path: 'README.md' }, { run: 'count-lines', path: 'src' }, { run: 'echo', message: 'all checks passed' }],
  },
  { name: 'no-todos', steps: [{ run: 'checkout' }, { run: 'forbid-text', text: 'TODO' }] },
];

/** The sample service (examples/sample-service) and the scopes it may ask for. */
export const DEMO_APP = {
  name: 'Sample service',
  description: 'The sample third-party service from examples/sample-service.',
  publisher: 'Tessera demo',
  redirectUri: 'http://127.0.0.1:8080/callback',
  /** Its receivers (examples/sample-service/README.md), on the callback's origin. */
  backchannelLogoutPath: '/backchannel-logout',
  securityEventsPath: '/security-events',
  scopes: ['openid', 'profile', 'email', 'offline_access', 'orgs:read', 'workitems:read', 'workitems:write', 'code:read', 'builds:read', 'builds:execute'],
};
