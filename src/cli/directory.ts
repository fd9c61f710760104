/**
 * `tessera directory …`: company directories (OpenID providers) whose people sign in with work
 * accounts (issue 3). The client secret is sealed under the key-encryption key before it is
 * stored, like a signing key; `add` prints the callback URL to register at the directory.
 * @module
 */
import { command, type CommandGroup } from './command.ts';
import type { CliContext } from './context.ts';
import { CliError, UsageError } from './errors.ts';
import { text } from './values.ts';
import type { Directory } from '../domain/directories.ts';
import { isDomainName, issuerProblem } from '../domain/directories.ts';
import { loadKeyEncryptionKey } from '../crypto/key_encryption.ts';
import { sealDirectorySecret } from '../crypto/directory_secrets.ts';
import { randomId } from '../crypto/random.ts';
import { callbackUrl } from '../interaction/directory/paths.ts';

interface AddDirectory {
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  domains: string[];
}

function issuer(value: string): string {
  const trimmed = value.trim();
  const problem = issuerProblem(trimmed);
  if (problem) throw new UsageError(`--issuer "${trimmed}" ${problem}`);
  return trimmed;
}

function domains(values: string[]): string[] {
  const out = new Set<string>();
  for (const value of values) {
    const domain = value.trim().toLowerCase().replace(/\.$/, '');
    if (!isDomainName(domain)) throw new UsageError(`--domain "${value}" is not a domain name like example.com`);
    out.add(domain);
  }
  return [...out].sort();
}

function describe(d: Directory, issuerUrl: string) {
  return {
    id: d.id,
    name: d.name,
    issuer: d.issuer,
    client_id: d.clientId,
    domains: d.domains,
    callback_url: callbackUrl(issuerUrl),
    created_at: new Date(d.createdAt * 1000).toISOString(),
  };
}

async function byNameOrId(context: CliContext, value: string): Promise<Directory> {
  const found = (await context.stores.directories.findByName(value)) ?? (await context.stores.directories.find(value));
  if (!found) throw new CliError(`no directory named "${value}" (or with that id); see tessera directory list`);
  return found;
}

const add = command<AddDirectory>({
  summary: 'register a company directory; prints the callback URL to register there',
  flags: {
    name: { type: 'string', required: true, value: 'NAME', description: 'shown on the sign-in page, e.g. "Example Corp"' },
    issuer: { type: 'string', required: true, value: 'URL', description: 'its OpenID issuer: https (http only on 127.0.0.0/8, [::1], localhost)' },
    'client-id': { type: 'string', required: true, value: 'ID', description: 'the client id Tessera has at the directory' },
    'client-secret': { type: 'string', required: true, value: 'SECRET', description: 'its client secret (stored sealed under the key-encryption key)' },
    domain: { type: 'string', multiple: true, required: true, value: 'DOMAIN', description: 'an email domain whose people sign in there' },
  },
  example: 'tessera directory add --name "Example Corp" --issuer https://login.example.com --client-id tessera --client-secret "s3cret" --domain example.com',
  check: (flags) => ({
    name: text('name', flags.required('name'), 100),
    issuer: issuer(flags.required('issuer')),
    clientId: text('client-id', flags.required('client-id'), 255),
    clientSecret: flags.required('client-secret'),
    domains: domains(flags.list('domain')),
  }),
  async run(context, input) {
    const kek = loadKeyEncryptionKey(context.config, (path) =>
      context.warn(`generated a key-encryption key at ${path}; back it up with the database, or set KEY_ENCRYPTION_KEY`),
    );
    const id = randomId();
    const directory: Directory = {
      id,
      name: input.name,
      issuer: input.issuer,
      clientId: input.clientId,
      clientSecretSealed: sealDirectorySecret(kek, id, input.clientSecret),
      domains: input.domains,
      createdAt: context.now(),
    };
    const result = await context.stores.directories.create(directory);
    if (result.conflict === 'name') throw new CliError(`a directory named "${input.name}" already exists`);
    if (result.directory === undefined) {
      const taken: string[] = [];
      for (const domain of input.domains) {
        const owner = await context.stores.directories.findByDomain(domain);
        if (owner) taken.push(`${domain} (${owner.name})`);
      }
      throw new CliError(`a domain already belongs to another directory: ${taken.join(', ') || input.domains.join(', ')}`);
    }
    await context.stores.audit.record({ type: 'directory.created', detail: { directory: id, via: 'cli' } }, context.now());
    const json = describe(result.directory, context.config.issuer);
    return {
      json,
      text: [
        `added directory ${json.name} (id ${json.id}) for ${json.domains.join(', ')}`,
        `register this redirect URI (callback URL) at the directory: ${json.callback_url}`,
      ].join('\n'),
    };
  },
});

const list = command<null>({
  summary: 'show every company directory: name, issuer, domains',
  flags: {},
  example: 'tessera directory list',
  check: () => null,
  async run(context) {
    const directories = (await context.stores.directories.list()).map((d) => describe(d, context.config.issuer));
    const text =
      directories.length === 0
        ? 'no directories; add one with tessera directory add'
        : directories.map((d) => `${d.name}  (id ${d.id})\n  issuer ${d.issuer}\n  client ${d.client_id}\n  domains ${d.domains.join(', ')}`).join('\n');
    return { json: { directories }, text };
  },
});

const remove = command<{ name: string }>({
  summary: 'remove a directory: its people can no longer sign in; their sessions and refresh tokens end',
  flags: {
    name: { type: 'string', required: true, value: 'NAME|ID', description: 'the directory name (or id)' },
  },
  example: 'tessera directory remove --name "Example Corp"',
  check: (flags) => ({ name: flags.required('name').trim() }),
  async run(context, input) {
    const directory = await byNameOrId(context, input.name);
    const result = await context.stores.directories.remove(directory.id, context.now());
    if (!result) throw new CliError(`no directory named "${input.name}"`);
    await context.stores.audit.record({ type: 'directory.removed', detail: { directory: directory.id, via: 'cli' } }, context.now());
    return {
      json: { id: directory.id, name: directory.name, removed: true, sessions_ended: result.sessionsEnded },
      text: `removed directory ${directory.name} (id ${directory.id}); ended ${result.sessionsEnded} session(s) of its people`,
    };
  },
});

export const directoryGroup: CommandGroup = {
  name: 'directory',
  summary: 'company directories for work accounts',
  commands: { add, list, remove },
};
