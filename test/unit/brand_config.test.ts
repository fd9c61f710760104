/**
 * PRODUCT_NAME and PRODUCT_LOGO (issue 20, src/config/brand.ts): a bad value stops the boot with a
 * message naming the variable, never a broken header on every page. Real files in a temp folder.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { MAX_LOGO_BYTES } from '../../src/domain/app_logo.ts';
import { renderMail } from '../../src/mail/messages.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const SVG = '<?xml version="1.0"?>\n<!-- a mark -->\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><rect width="8" height="8"/></svg>';

describe('PRODUCT_NAME and PRODUCT_LOGO', () => {
  let dir: string;
  const file = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-brand-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to Tessera and the built-in mark, and signs mail with the name', () => {
    const c = loadConfig({});
    assert.deepEqual(c.brand, { productName: 'Tessera' });
    assert.equal(c.mail.from, 'Tessera <no-reply@localhost>');
  });

  it('takes a plain name, and puts it in the default sender (quoted when it is not a plain phrase)', () => {
    assert.equal(loadConfig({ PRODUCT_NAME: 'Sprint Planner' }).brand.productName, 'Sprint Planner');
    assert.equal(loadConfig({ PRODUCT_NAME: 'Sprint Planner', PUBLIC_URL: 'https://id.example' }).mail.from, 'Sprint Planner <no-reply@id.example>');
    assert.equal(loadConfig({ PRODUCT_NAME: 'Acme Inc.' }).mail.from, '"Acme Inc." <no-reply@localhost>');
    assert.equal(loadConfig({ PRODUCT_NAME: 'Zürich Werke' }).brand.productName, 'Zürich Werke');
    assert.equal(loadConfig({ PRODUCT_NAME: 'Planner', MAIL_FROM: 'ops@example.com' }).mail.from, 'ops@example.com', 'MAIL_FROM still wins');
  });

  for (const [what, name] of [
    ['markup', '<b>Planner</b>'],
    ['a quote', 'Sprint "Planner"'],
    ['a line break', 'Sprint\nPlanner'],
    ['a leading space', ' Planner'],
    ['41 characters', 'P'.repeat(41)],
    ['only punctuation', '---'],
  ] as const) {
    it(`refuses a PRODUCT_NAME with ${what}`, () => {
      assert.throws(() => loadConfig({ PRODUCT_NAME: name }), (err: unknown) => err instanceof ConfigError && err.message.startsWith('PRODUCT_NAME must be 1 to 40 characters'));
    });
  }

  it('reads an SVG logo and a PNG logo once, with their types', () => {
    const svg = loadConfig({ PRODUCT_LOGO: file('mark.svg', SVG) }).brand.logo;
    assert.equal(svg?.contentType, 'image/svg+xml');
    assert.equal(svg?.bytes.toString('utf8'), SVG);
    const png = loadConfig({ PRODUCT_LOGO: file('mark.PNG', Buffer.concat([PNG_SIGNATURE, Buffer.alloc(64)])) }).brand.logo;
    assert.equal(png?.contentType, 'image/png');
    assert.equal(png?.bytes.length, 72);
  });

  it('refuses a logo it cannot read, an empty or oversized one, and one of another type', () => {
    const refused = (env: Record<string, string>, pattern: RegExp) =>
      assert.throws(() => loadConfig(env), (err: unknown) => err instanceof ConfigError && pattern.test(err.message), JSON.stringify(env));
    refused({ PRODUCT_LOGO: join(dir, 'missing.svg') }, /^PRODUCT_LOGO cannot be read \(ENOENT\)/);
    refused({ PRODUCT_LOGO: dir }, /^PRODUCT_LOGO cannot be read \(EISDIR\)/);
    refused({ PRODUCT_LOGO: file('empty.svg', '') }, /^PRODUCT_LOGO must be a file of 1 byte to 256 KiB, got 0 bytes/);
    refused({ PRODUCT_LOGO: file('big.png', Buffer.concat([PNG_SIGNATURE, Buffer.alloc(MAX_LOGO_BYTES)])) }, /^PRODUCT_LOGO must be a file of 1 byte to 256 KiB, got 262152 bytes/);
    refused({ PRODUCT_LOGO: file('photo.jpg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0])) }, /^PRODUCT_LOGO must be an SVG \(\.svg\) or PNG \(\.png\) image/);
    refused({ PRODUCT_LOGO: file('page.svg', '<html><script>alert(1)</script></html>') }, /^PRODUCT_LOGO must be an SVG/);
    refused({ PRODUCT_LOGO: file('mark-really-svg.png', SVG) }, /^PRODUCT_LOGO must be an SVG/);
    refused({ PRODUCT_LOGO: file('mark-really-png.svg', Buffer.concat([PNG_SIGNATURE, Buffer.alloc(8)])) }, /^PRODUCT_LOGO must be an SVG/);
  });

  it('mail names the product in its subject and words, and is signed with it', () => {
    const mail = renderMail({ kind: 'signup_taken', to: 'ann@example.com', userId: null, data: {} }, { issuer: 'https://id.example', productName: 'Sprint Planner' });
    assert.equal(mail.subject, 'Someone tried to create a Sprint Planner account with this address');
    assert.match(mail.text, /^Someone tried to create a Sprint Planner account with ann@example\.com\./);
    assert.match(mail.text, /\n— Sprint Planner\n$/);
    assert.match(mail.html, /— Sprint Planner<\/p><\/body><\/html>$/);
    assert.doesNotMatch(mail.text + mail.html, /Tessera/);
  });
});
