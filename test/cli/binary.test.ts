/**
 * The `tessera` binary itself, as an operator's shell runs it (bin/tessera.js through tsx). The
 * other CLI files run the same code on a worker thread (cli.ts); these check what only a process
 * shows: the exit status, and what reaches stdout and stderr.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CliTarget, assertRefused, runCliProcess } from './cli.ts';

describe('the tessera binary (sqlite)', () => {
  let cli: CliTarget;

  before(async () => {
    cli = await CliTarget.create('sqlite');
  });
  after(() => cli.close());

  it('--help prints the commands on stdout and exits 0', async () => {
    const result = await runCliProcess(['--help'], cli.env());
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Usage: tessera <command>/);
    assert.match(result.stdout, /app rotate-secret/);
    assert.equal(result.stderr, '');
  });

  it('no command: the usage on stderr, exit 2; an unknown command: one line, exit 2', async () => {
    const none = await runCliProcess([], cli.env());
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^Usage: tessera/);
    assertRefused(await runCliProcess(['launch'], cli.env()), 2, /unknown command "launch"/);
  });

  it('a command writes the database, prints JSON on stdout, and a refusal exits 1 with one line', async () => {
    const created = await runCliProcess(['user', 'create', '--email', 'ops@example.com', '--name', 'Ops', '--password', 'a long enough passphrase', '--json'], cli.env());
    assert.equal(created.code, 0, created.stderr);
    assert.equal((JSON.parse(created.stdout) as { email: string }).email, 'ops@example.com');
    // The worker-thread runner reads the same database.
    const listed = await cli.run(['user', 'list', '--json']);
    assert.match(listed.stdout, /ops@example\.com/);
    assertRefused(await runCliProcess(['user', 'create', '--email', 'ops@example.com', '--name', 'Ops', '--password', 'a long enough passphrase'], cli.env()), 1, /ops@example\.com/);
  });

  it('a bad configuration is one line and exit 2, before any database is opened', async () => {
    assertRefused(await runCliProcess(['user', 'list'], cli.env({ PORT: 'eighty' })), 2, /configuration error: PORT/);
  });
});
