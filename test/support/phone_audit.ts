/**
 * The phone check of a page in real Chromium (issue 20, "Phones: nothing may scroll sideways at
 * 320 px"): a 320 px context with axe-core in every page, and an audit of what is on screen —
 * sideways scrolling and every axe-core violation (WCAG 2.0 A/AA, 2.1 AA). Used by the page sweep
 * (e2e/pages_sweep_browser) and by the browser tests of single pages.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults } from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21aa'];
export const PHONE = { width: 320, height: 640 };

/**
 * A phone-sized context in `colorScheme` with axe-core in every page it opens (an init script: sent
 * once, not with each page). bypassCSP only so that axe-core can run; the pages' CSP (rightly)
 * allows no script but ours.
 */
export function phoneContext(browser: Browser, colorScheme: 'light' | 'dark'): Promise<BrowserContext> {
  return browser
    .newContext({ bypassCSP: true, colorScheme, viewport: PHONE })
    .then(async (context) => {
      // tsx (esbuild keepNames) wraps named functions in __name(), which the page must then know.
      await context.addInitScript({ content: `${AXE_SOURCE};globalThis.__name = (f) => f;` });
      return context;
    });
}

/** What is wrong with the page on screen: sideways scrolling, and every axe-core violation. */
export async function audit(page: Page, name: string): Promise<string[]> {
  if (!(await page.evaluate('typeof globalThis.axe === "object"'))) {
    await page.addScriptTag({ content: AXE_SOURCE });
    await page.evaluate('globalThis.__name = (f) => f');
  }
  const { violations, scrollWidth, width, widest } = await page.evaluate(async (tags) => {
    const axe = (globalThis as unknown as { axe: { run(c: unknown, o: unknown): Promise<AxeResults> } }).axe;
    const { violations } = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    const width = window.innerWidth;
    const scrollWidth = document.scrollingElement!.scrollWidth;
    // What reaches furthest right, to say what overflows: an element, or text that runs out of its
    // box (a long word), which is no element of its own. Only looked for when something does.
    let widest = '';
    if (scrollWidth > width) {
      let right = width;
      const name = (el: Element | null) => (el ? `${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).replace(/\s+/g, '.') : ''}` : '');
      for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect().right;
        if (r > right) [right, widest] = [r, `${name(el)} (${Math.round(r)}px)`];
      }
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      const range = document.createRange();
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        range.selectNodeContents(node);
        const r = range.getBoundingClientRect().right;
        if (r > right) [right, widest] = [r, `text in ${name(node.parentElement)} (${Math.round(r)}px)`];
      }
    }
    return { violations: violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, at: v.nodes.map((n) => n.target.join(' ')) })), scrollWidth, width, widest };
  }, WCAG_TAGS);
  const failures = violations.map((v) => `${name}: axe ${v.id} [${v.impact}] ${v.help} at ${v.at.join(', ')}`);
  if (scrollWidth > width) failures.push(`${name}: scrolls sideways (${scrollWidth}px in ${width}px; widest: ${widest})`);
  return failures;
}
