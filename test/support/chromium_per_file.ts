/**
 * One Chromium for a whole browser-test file, shared by its suites (one per dialect): a launch
 * costs about 0.7 s and a few hundred MB. Call it at the top level of the file; the browser is
 * launched in a file-level before hook and closed in the file-level after hook.
 */
import { before, after } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.ts';

export function chromiumPerFile(): () => Browser {
  let browser: Browser | undefined;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('Chromium is not running: call chromiumPerFile() at the top level of the test file');
    return browser;
  };
}
