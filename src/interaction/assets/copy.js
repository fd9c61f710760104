// Copy buttons of the developer portal (issue 20). Plain JavaScript, no build step, served from
// our own origin and loaded as a module (the pages' CSP: script-src 'self'; no inline script, no
// inline handler). Without it, or in a browser without the asynchronous Clipboard API (it needs a
// secure context: https, or http on localhost), the buttons stay `hidden` and the value stays
// plain selectable text.
//
// The markup says what to do:
//   [data-copy="<id>"]   a wrapper, `hidden`, around a button; the button copies the text of the
//                        element with that id, and the wrapper's [role=status] says how it went.

for (const wrapper of document.querySelectorAll('[data-copy]')) {
  const source = document.getElementById(wrapper.dataset.copy ?? '');
  const button = wrapper.querySelector('button');
  const status = wrapper.querySelector('[role=status]');
  if (!source || !button || !status || !navigator.clipboard?.writeText) continue;
  wrapper.hidden = false;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(source.textContent ?? '');
      status.textContent = 'Copied';
    } catch {
      // Refused by the browser (permission, focus): the text is still there to select.
      status.textContent = 'Could not copy: select the text and copy it';
    }
  };
  button.addEventListener('click', () => void copy());
}
