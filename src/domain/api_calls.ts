/**
 * A platform API call in a person's words, for "Manage applications" (issue 20: "one sentence per
 * kind of action"): `GET /api/v1/orgs/acme/projects/WEB/workitems/12` is "Read work items" in the
 * organization `acme`. The recorded path is the one called (api/bearer.ts), so its organization
 * segment is a slug; the page names the organization from the person's own memberships.
 * @module
 */

export interface CallKind {
  /** "Read work items", "Changed code": what the service did, as a person says it. */
  action: string;
  /** The organization's slug, when the call was made in one. */
  orgSlug?: string;
}

/** What each method does to a collection, as a person says it. */
interface Resource {
  read: string;
  write: string;
}

const PROJECTS: Resource = { read: 'Read projects', write: 'Created projects' };
const REPOSITORIES: Resource = { read: 'Read repositories', write: 'Created repositories' };
/** Collections under /orgs/{org}/projects/{project}/. */
const PROJECT_PARTS: ReadonlyMap<string, Resource> = new Map([
  ['workitems', { read: 'Read work items', write: 'Changed work items' }],
  ['builds', { read: 'Read builds and their logs', write: 'Started builds' }],
  ['build-definitions', { read: 'Read build definitions', write: 'Defined builds' }],
]);
const COMMENTS: Resource = { read: 'Read comments on work items', write: 'Commented on work items' };
const CODE: Resource = { read: 'Read code', write: 'Changed code' };

const READS = new Set(['GET', 'HEAD']);

/**
 * The collection a call acted on, read at the fixed places of the API's paths
 * (/orgs/{org}/projects/{project}/workitems/{n}/comments, /orgs/{org}/repos/{repo}/contents/{file…}),
 * never by searching: a file's path or a project's key may be any word.
 */
function resourceOf(s: readonly string[]): Resource | undefined {
  if (s[2] === 'projects') {
    if (s.length <= 4) return PROJECTS;
    const part = PROJECT_PARTS.get(s[4]!);
    if (part === PROJECT_PARTS.get('workitems') && s[6] === 'comments') return COMMENTS;
    return part;
  }
  if (s[2] === 'repos') return s[4] === 'contents' ? CODE : REPOSITORIES;
  return undefined;
}

export function describeCall(method: string, path: string): CallKind {
  const segments = path.replace(/^\/api\/v1/, '').split('/').filter((s) => s !== '');
  if (segments[0] === 'me' && segments.length === 1) return { action: 'Read your name and email address' };
  if (segments[0] !== 'orgs') return { action: `Called ${method} ${path}` };
  const orgSlug = segments[1];
  if (orgSlug === undefined) return { action: 'Listed your organizations' };
  const resource = resourceOf(segments);
  if (!resource) return { action: `Called ${method} ${path}`, orgSlug };
  return { action: READS.has(method) ? resource.read : resource.write, orgSlug };
}
