import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dialects } from '../support/app.ts';
import { CliTarget, assertRefused } from './cli.ts';

for (const dialect of dialects()) {
  describe(`tessera: usage and the schema (${dialect})`, () => {
    let cli: CliTarget;
    before(async () => {
      cli = await CliTarget.create(dialect);
    });
    after(() => cli.close());

    it('--help and <group> --help print usage on stdout and exit 0', async () => {
      const [top, group, cmd] = await Promise.all([cli.run(['--help']), cli.run(['app', '--help']), cli.run(['app', 'create', '--help'])]);
      assert.equal(top.code, 0);
      for (const name of ['db migrate', 'user create', 'org create', 'org add-member', 'app create', 'keys rotate', 'keys list']) {
        assert.ok(top.stdout.includes(name), name);
      }
      assert.equal(group.code, 0);
      assert.match(group.stdout, /Usage: tessera app <command>/);
      assert.equal(cmd.code, 0);
      for (const flag of ['--name', '--redirect-uri', '--public', '--scopes', '--owner', '--publisher', '--description', '--json']) {
        assert.ok(cmd.stdout.includes(flag), flag);
      }
    });

    it('no command prints usage on stderr and exits 2', async () => {
      const result = await cli.run([]);
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /Usage: tessera/);
    });

    it('refuses unknown commands and flags, missing flags and stray arguments with one line and exit 2', async () => {
      const cases: [string[], RegExp][] = [
        [['frob'], /unknown command "frob"/],
        [['keys', 'burn'], /unknown command "keys burn"/],
        [['user'], /needs a command/],
        [['user', 'create', '--email', 'a@example.com', '--name', 'A', '--password', 'long enough', '--admin'], /unknown flag --admin/],
        [['user', 'create', '--email', 'a@example.com', '--name', 'A'], /needs --password/],
        [['user', 'create', '--email', '--name', 'A', '--password', 'long enough'], /--email/],
        [['user', 'create', 'a@example.com'], /unexpected argument "a@example.com"/],
        [['user', 'create', '--email', 'a@example.com', '--email', 'b@example.com', '--name', 'A', '--password', 'long enough'], /--email is given more than once/],
        [['org', 'create', '--slug', 'acme', '--name', ''], /--name must not be empty/],
        [['keys', 'list', '--json=yes'], /--json/],
      ];
      const results = await Promise.all(cases.map(([args]) => cli.run(args)));
      results.forEach((result, i) => assertRefused(result, 2, cases[i]![1]));
    });

    it('a usage error never opens (or creates) the database', async () => {
      await cli.run(['user', 'create', '--email', 'nobody']);
      if (dialect === 'sqlite') assert.equal(existsSync(join(cli.dataDir, 'tessera.db')), false);
    });

    it('db migrate applies the schema once, then reports it up to date', async () => {
      const first = await cli.json<{ applied: string[] }>(['db', 'migrate']);
      assert.ok(first.applied.length >= 1);
      assert.ok(first.applied.includes('202611282200_create_core'));
      const second = await cli.json<{ applied: string[] }>(['db', 'migrate']);
      assert.deepEqual(second, { applied: [] });
      const text = await cli.run(['db', 'migrate']);
      assert.equal(text.code, 0);
      assert.match(text.stdout, /up to date/);
      if (dialect === 'sqlite') assert.ok(existsSync(join(cli.dataDir, 'tessera.db')));
    });

    it('a bad configuration is a one-line "configuration error", exit 2', async () => {
      const result = await cli.run(['keys', 'list'], { DATABASE_URL: 'mysql://nope' });
      assertRefused(result, 2, /configuration error: DATABASE_URL/);
      const kek = await cli.run(['keys', 'list'], { KEY_ENCRYPTION_KEY: 'too-short' });
      assertRefused(kek, 2, /configuration error: KEY_ENCRYPTION_KEY/);
    });
  });
}
