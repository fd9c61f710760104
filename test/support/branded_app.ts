/**
 * A test app run as an operator would brand it (issue 20): PRODUCT_NAME set and PRODUCT_LOGO
 * pointing at a real file in a temporary folder, which `close()` removes with the app.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, type TestApp, type TestAppOptions } from './app.ts';

export async function startBrandedApp(productName: string, logo: { file: string; content: string | Buffer }, options: TestAppOptions = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-brand-'));
  try {
    writeFileSync(join(dir, logo.file), logo.content);
    const t = await startTestApp({ ...options, env: { ...options.env, PRODUCT_NAME: productName, PRODUCT_LOGO: join(dir, logo.file) } });
    return {
      ...t,
      close: async () => {
        await t.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
