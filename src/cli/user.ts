/** `tessera user …`: personal accounts. */
import { command, type CommandGroup } from './command.ts';
import { CliError, UsageError } from './errors.ts';
import { email, text } from './values.ts';
import { MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS, hashPassword } from '../crypto/passwords.ts';

interface CreateUser {
  email: string;
  name: string;
  password: string;
}

/** SECURITY 34: a floor on length and a ceiling in bytes, checked before any hashing. */
function password(value: string): string {
  if ([...value].length < MIN_PASSWORD_CHARS) throw new UsageError(`--password must have at least ${MIN_PASSWORD_CHARS} characters`);
  if (Buffer.byteLength(value, 'utf8') > MAX_PASSWORD_BYTES) throw new UsageError(`--password may have at most ${MAX_PASSWORD_BYTES} bytes`);
  return value;
}

const create = command<CreateUser>({
  summary: 'create a person who signs in with email and password',
  flags: {
    email: { type: 'string', required: true, value: 'EMAIL', description: 'sign-in address (kept lowercased)' },
    name: { type: 'string', required: true, value: 'NAME', description: 'display name' },
    password: { type: 'string', required: true, value: 'PASSWORD', description: `${MIN_PASSWORD_CHARS}+ characters, at most ${MAX_PASSWORD_BYTES} bytes` },
  },
  example: 'tessera user create --email alice@example.com --name "Alice Liddell" --password "correct horse battery staple"',
  check: (flags) => ({
    email: email('email', flags.required('email')),
    name: text('name', flags.required('name'), 100),
    password: password(flags.required('password')),
  }),
  async run(context, input) {
    const { users, audit } = context.stores;
    if (await users.findByEmail(input.email)) throw new CliError(`a user with email ${input.email} already exists`);
    const passwordHash = await hashPassword(input.password);
    // The store answers undefined when another writer took the email in between.
    const user = await users.create({ email: input.email, name: input.name, passwordHash }, context.now());
    if (!user) throw new CliError(`a user with email ${input.email} already exists`);
    await audit.record({ type: 'user.created', userId: user.id, detail: { via: 'cli' } }, context.now());
    return {
      json: { id: user.id, email: user.email, name: user.name },
      text: `created user ${user.email} (id ${user.id})`,
    };
  },
});

export const userGroup: CommandGroup = {
  name: 'user',
  summary: 'personal accounts',
  commands: { create },
};
