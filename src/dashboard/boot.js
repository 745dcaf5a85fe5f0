// @ts-check
/**
 * Loads the dashboard (app.js and the ~180 modules it imports). A module that fails to arrive, such
 * as when the browser drops requests in flight because the machine's network changed, would leave the
 * page on "Loading the dashboard…" for good: the page reloads itself once (the modules that did
 * arrive come from the cache), and if that fails too it says so.
 */
const RETRIED = 've-boot-retried';

import('./app.js').then(
  () => sessionStorage.removeItem(RETRIED),
  (/** @type {unknown} */ error) => {
    if (!sessionStorage.getItem(RETRIED)) {
      sessionStorage.setItem(RETRIED, '1');
      location.reload();
      return;
    }
    sessionStorage.removeItem(RETRIED);
    const boot = document.querySelector('#app .boot');
    if (boot) {
      boot.setAttribute('role', 'alert');
      boot.textContent = `The dashboard could not load (${error instanceof Error ? error.message : String(error)}). Reload the page to try again.`;
    }
  },
);
