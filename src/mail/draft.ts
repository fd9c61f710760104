/**
 * A message as Tessera writes it, before it is a mail: paragraphs, a list or a few labelled facts
 * where they read better, and at most one call to action. The plain-text part and the HTML part
 * (issue 15: every message has both) are both made from the one draft, so they say the same.
 * @module
 */

/** A paragraph of text, a bulleted list (after its line of introduction), or labelled lines ("When: …"). */
export type Paragraph = string | { intro: string; list: string[] } | { facts: [label: string, value: string][] };

export interface Draft {
  subject: string;
  greeting?: string | undefined;
  paragraphs: Paragraph[];
  action?: { label: string; url: string } | undefined;
  after?: string[];
}

/** `sender`: the platform's name (PRODUCT_NAME), signing every message. */
export function textOf(draft: Draft, sender: string): string {
  const parts = [
    draft.greeting ? `Hello ${draft.greeting},` : undefined,
    ...draft.paragraphs.map(paragraphText),
    draft.action ? `${draft.action.label}: ${draft.action.url}` : undefined,
    ...(draft.after ?? []),
    `— ${sender}`,
  ];
  return parts.filter((p): p is string => p !== undefined).join('\n\n') + '\n';
}

function paragraphText(paragraph: Paragraph): string {
  if (typeof paragraph === 'string') return paragraph;
  if ('list' in paragraph) return [paragraph.intro, ...paragraph.list.map((item) => `- ${item}`)].join('\n');
  return paragraph.facts.map(([label, value]) => `${label}: ${value}`).join('\n');
}

export function htmlOf(draft: Draft, sender: string): string {
  const p = (text: string) => `<p style="margin:0 0 16px">${escapeHtml(text)}</p>`;
  const action = draft.action
    ? `<p style="margin:0 0 16px"><a href="${escapeHtml(draft.action.url)}" style="display:inline-block;padding:10px 16px;background:#1f4fd1;color:#ffffff;text-decoration:none;border-radius:6px">${escapeHtml(draft.action.label)}</a></p>` +
      `<p style="margin:0 0 16px;font-size:13px;color:#555">Or copy this address: ${escapeHtml(draft.action.url)}</p>`
    : '';
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    `<title>${escapeHtml(draft.subject)}</title></head>`,
    '<body style="margin:0;padding:24px;font-family:system-ui,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a;max-width:560px">',
    draft.greeting ? p(`Hello ${draft.greeting},`) : '',
    ...draft.paragraphs.map((paragraph) => paragraphHtml(paragraph, p)),
    action,
    ...(draft.after ?? []).map(p),
    `<p style="margin:0;color:#555">— ${escapeHtml(sender)}</p></body></html>`,
  ].join('');
}

function paragraphHtml(paragraph: Paragraph, p: (text: string) => string): string {
  if (typeof paragraph === 'string') return p(paragraph);
  if ('list' in paragraph) {
    const items = paragraph.list.map((item) => `<li>${escapeHtml(item)}</li>`).join('');
    return `<p style="margin:0">${escapeHtml(paragraph.intro)}</p><ul style="margin:0 0 16px;padding-left:24px">${items}</ul>`;
  }
  const lines = paragraph.facts.map(([label, value]) => `<strong>${escapeHtml(label)}:</strong> ${escapeHtml(value)}`);
  return `<p style="margin:0 0 16px">${lines.join('<br>')}</p>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
