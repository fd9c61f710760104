import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeCall } from '../../src/domain/api_calls.ts';

describe('describeCall: a platform API call in words', () => {
  it('names each collection of the API, read or written, with its organization', () => {
    const cases: [string, string, string, string | undefined][] = [
      ['GET', '/api/v1/me', 'Read your name and email address', undefined],
      ['GET', '/api/v1/orgs', 'Listed your organizations', undefined],
      ['GET', '/api/v1/orgs/acme/projects', 'Read projects', 'acme'],
      ['POST', '/api/v1/orgs/acme/projects', 'Created projects', 'acme'],
      ['GET', '/api/v1/orgs/acme/projects/WEB', 'Read projects', 'acme'],
      ['GET', '/api/v1/orgs/acme/projects/WEB/workitems', 'Read work items', 'acme'],
      ['PATCH', '/api/v1/orgs/acme/projects/WEB/workitems/12', 'Changed work items', 'acme'],
      ['DELETE', '/api/v1/orgs/acme/projects/WEB/workitems/12', 'Changed work items', 'acme'],
      ['GET', '/api/v1/orgs/acme/projects/WEB/workitems/12/comments', 'Read comments on work items', 'acme'],
      ['POST', '/api/v1/orgs/acme/projects/WEB/workitems/12/comments', 'Commented on work items', 'acme'],
      ['GET', '/api/v1/orgs/acme/projects/WEB/builds/7', 'Read builds and their logs', 'acme'],
      ['POST', '/api/v1/orgs/acme/projects/WEB/builds', 'Started builds', 'acme'],
      ['POST', '/api/v1/orgs/acme/projects/WEB/build-definitions', 'Defined builds', 'acme'],
      ['GET', '/api/v1/orgs/acme/repos', 'Read repositories', 'acme'],
      ['GET', '/api/v1/orgs/acme/repos/site/contents/src/index.ts', 'Read code', 'acme'],
      ['PUT', '/api/v1/orgs/acme/repos/site/contents/src/index.ts', 'Changed code', 'acme'],
      ['HEAD', '/api/v1/orgs/acme/repos/site', 'Read repositories', 'acme'],
    ];
    for (const [method, path, action, orgSlug] of cases) {
      assert.deepEqual(describeCall(method, path), orgSlug === undefined ? { action } : { action, orgSlug }, `${method} ${path}`);
    }
  });

  it('reads the collection at its place, never by searching: names chosen by people do not fool it', () => {
    // A project whose key is "builds", a file under a folder called "workitems", a repository called "comments".
    assert.equal(describeCall('GET', '/api/v1/orgs/acme/projects/builds/workitems').action, 'Read work items');
    assert.equal(describeCall('PUT', '/api/v1/orgs/acme/repos/site/contents/workitems/builds').action, 'Changed code');
    assert.equal(describeCall('GET', '/api/v1/orgs/acme/repos/comments').action, 'Read repositories');
  });

  it('says plainly what it does not know', () => {
    assert.deepEqual(describeCall('GET', '/api/v1/elsewhere'), { action: 'Called GET /api/v1/elsewhere' });
    assert.deepEqual(describeCall('POST', '/api/v1/orgs/acme/unknown'), { action: 'Called POST /api/v1/orgs/acme/unknown', orgSlug: 'acme' });
    assert.deepEqual(describeCall('GET', '/api/v1/me/else'), { action: 'Called GET /api/v1/me/else' });
  });
});
