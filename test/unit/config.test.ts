import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config/config.ts';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    assert.equal(c.port, 3000);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.issuer, 'http://localhost:3000');
    assert.equal(c.database.dialect, 'sqlite');
    assert.match(c.database.dialect === 'sqlite' ? c.database.path : '', /data\/tessera\.db$/);
    assert.equal(c.logLevel, 'info');
    assert.equal(c.ttl.authorizationCode, 60);
    assert.equal(c.ttl.accessToken, 3600);
    assert.equal(c.ttl.refreshTokenReuseGrace, 0);
    assert.equal(c.ttl.stepUp, 600, 'step-up and sensitive changes: a sign-in within 10 minutes (issue 16)');
    assert.equal(loadConfig({ STEP_UP_MAX_AGE: '300' }).ttl.stepUp, 300);
    assert.equal(c.secure, false);
    assert.equal(c.activityRetentionDays, 90);
    assert.equal(c.auditRetentionDays, 365);
  });

  it('reads AUDIT_RETENTION_DAYS as days from the 90-day database floor, or forever', () => {
    assert.equal(loadConfig({ AUDIT_RETENTION_DAYS: '90' }).auditRetentionDays, 90);
    assert.equal(loadConfig({ AUDIT_RETENTION_DAYS: '2555' }).auditRetentionDays, 2555);
    assert.equal(loadConfig({ AUDIT_RETENTION_DAYS: 'forever' }).auditRetentionDays, 'forever');
  });

  it('derives the issuer from PORT and honours PUBLIC_URL without a trailing slash', () => {
    assert.equal(loadConfig({ PORT: '8080' }).issuer, 'http://localhost:8080');
    const c = loadConfig({ PUBLIC_URL: 'https://auth.example.com/' });
    assert.equal(c.issuer, 'https://auth.example.com');
    assert.equal(c.secure, true);
  });

  it('reads sqlite: and postgres:// database URLs', () => {
    const sqlite = loadConfig({ DATABASE_URL: 'sqlite:/tmp/x.db' }).database;
    assert.deepEqual(sqlite, { dialect: 'sqlite', path: '/tmp/x.db' });
    const pg = loadConfig({ DATABASE_URL: 'postgres://u@127.0.0.1:5432/db' }).database;
    assert.deepEqual(pg, { dialect: 'postgres', url: 'postgres://u@127.0.0.1:5432/db', preparedStatements: true });
    const unprepared = loadConfig({ DATABASE_URL: 'postgres://u@127.0.0.1:5432/db', DATABASE_PREPARED_STATEMENTS: 'off' }).database;
    assert.deepEqual(unprepared, { dialect: 'postgres', url: 'postgres://u@127.0.0.1:5432/db', preparedStatements: false });
  });

  for (const [name, env, pattern] of [
    ['a non-numeric port', { PORT: 'abc' }, /PORT/],
    ['a port out of range', { PORT: '70000' }, /PORT/],
    ['an issuer with a query', { PUBLIC_URL: 'https://a.example/?x=1' }, /PUBLIC_URL/],
    ['an issuer with a fragment', { PUBLIC_URL: 'https://a.example/#f' }, /PUBLIC_URL/],
    ['a relative issuer', { PUBLIC_URL: 'auth.example' }, /PUBLIC_URL/],
    ['an unknown database scheme', { DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    ['an unknown log level', { LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    ['a prepared-statements switch other than on or off', { DATABASE_URL: 'postgres://u@127.0.0.1:5432/db', DATABASE_PREPARED_STATEMENTS: 'yes' }, /^DATABASE_PREPARED_STATEMENTS must be on or off$/],
    ['a code lifetime over 10 minutes', { AUTHORIZATION_CODE_TTL: '601' }, /AUTHORIZATION_CODE_TTL/],
    ['a step-up window under 30 seconds', { STEP_UP_MAX_AGE: '29' }, /STEP_UP_MAX_AGE/],
    ['a step-up window in other words', { STEP_UP_MAX_AGE: '10m' }, /STEP_UP_MAX_AGE/],
    ['a short key-encryption key', { KEY_ENCRYPTION_KEY: 'c2hvcnQ' }, /KEY_ENCRYPTION_KEY/],
    ['an audit retention below the database floor', { AUDIT_RETENTION_DAYS: '89' }, /^AUDIT_RETENTION_DAYS must be whole days from 90 \(the database refuses to delete younger audit events\) to 36500, or forever; got "89"$/],
    ['an audit retention of 0 (forever is spelled out)', { AUDIT_RETENTION_DAYS: '0' }, /AUDIT_RETENTION_DAYS .* or forever; got "0"/],
    ['a negative audit retention', { AUDIT_RETENTION_DAYS: '-365' }, /AUDIT_RETENTION_DAYS/],
    ['a fractional audit retention', { AUDIT_RETENTION_DAYS: '365.5' }, /AUDIT_RETENTION_DAYS/],
    ['an audit retention in other words', { AUDIT_RETENTION_DAYS: 'a year' }, /AUDIT_RETENTION_DAYS/],
    ['a capitalised forever', { AUDIT_RETENTION_DAYS: 'Forever' }, /AUDIT_RETENTION_DAYS/],
    ['an audit retention over 100 years', { AUDIT_RETENTION_DAYS: '36501' }, /AUDIT_RETENTION_DAYS/],
  ] as const) {
    it(`stops the boot on ${name}`, () => {
      assert.throws(() => loadConfig(env), (err: unknown) => err instanceof ConfigError && pattern.test(err.message));
    });
  }
});

// Issue 15: outgoing mail (docs/configuration.md, "Mail"). A bad value stops the boot with a
// message that never repeats the SMTP password.
describe('mail configuration', () => {
  it('has the documented defaults: no SMTP_URL (the .eml outbox), a From at PUBLIC_URL\'s host', () => {
    const mail = loadConfig({ PUBLIC_URL: 'https://auth.example.com' }).mail;
    assert.deepEqual(mail, { from: 'Tessera <no-reply@auth.example.com>', pollMs: 1000, retrySeconds: 30, maxAttempts: 10 });
  });

  it('reads smtp:// and smtps:// URLs and one From address, a quoted name with a comma included', () => {
    assert.equal(loadConfig({ SMTP_URL: 'smtp://user:p%40ss@mail.example.com:587' }).mail.smtpUrl, 'smtp://user:p%40ss@mail.example.com:587');
    assert.equal(loadConfig({ SMTP_URL: 'smtps://mail.example.com' }).mail.smtpUrl, 'smtps://mail.example.com');
    for (const from of ['no-reply@example.com', 'Tessera <no-reply@example.com>', '"Tessera, Inc." <no-reply@example.com>']) {
      assert.equal(loadConfig({ MAIL_FROM: from }).mail.from, from);
    }
  });

  for (const [name, env, pattern] of [
    ['an http:// SMTP_URL', { SMTP_URL: 'http://mail.example.com' }, /^SMTP_URL must start with smtp:\/\/ or smtps:\/\/$/],
    ['an SMTP_URL that is no URL', { SMTP_URL: 'mail.example.com:25' }, /SMTP_URL must/],
    ['an SMTP_URL without a host', { SMTP_URL: 'smtp://' }, /^SMTP_URL must name a host$/],
    ['a header injected into MAIL_FROM (CRLF)', { MAIL_FROM: 'Tessera <no-reply@example.com>\r\nBcc: everyone@example.net' }, /^MAIL_FROM must be one address/],
    ['a header injected into MAIL_FROM (LF)', { MAIL_FROM: 'no-reply@example.com\nBcc: everyone@example.net' }, /^MAIL_FROM must be one address/],
    ['a control character in MAIL_FROM', { MAIL_FROM: 'Tessera\u0000 <no-reply@example.com>' }, /^MAIL_FROM must be one address/],
    ['two MAIL_FROM addresses', { MAIL_FROM: 'no-reply@example.com, ceo@example.com' }, /^MAIL_FROM must be one address/],
    ['a MAIL_FROM with no address', { MAIL_FROM: 'Tessera' }, /^MAIL_FROM must be one address/],
    ['words after the MAIL_FROM address', { MAIL_FROM: 'Tessera <no-reply@example.com> and more' }, /^MAIL_FROM must be one address/],
    ['a MAIL_POLL_MS below 50', { MAIL_POLL_MS: '10' }, /MAIL_POLL_MS/],
    ['a MAIL_MAX_ATTEMPTS of 0', { MAIL_MAX_ATTEMPTS: '0' }, /MAIL_MAX_ATTEMPTS/],
  ] as const) {
    it(`stops the boot on ${name}`, () => {
      assert.throws(() => loadConfig(env), (err: unknown) => err instanceof ConfigError && pattern.test(err.message));
    });
  }

  it('never repeats the SMTP password in its message', () => {
    assert.throws(
      () => loadConfig({ SMTP_URL: 'ftp://mailer:s3cret-pass@mail.example.com' }),
      (err: unknown) => err instanceof ConfigError && !err.message.includes('s3cret-pass'),
    );
  });
});
