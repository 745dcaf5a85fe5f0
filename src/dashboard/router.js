// @ts-check
/**
 * Client-side navigation between `/` and `/unit/<chunk>` with the History API: no page reloads, and
 * the daemon serves the same page for both paths, so deep links and the back button work.
 */
import { useEffect, useState } from 'preact/hooks';
import { html } from './ui.js';

/** @typedef {{name: 'home'} | {name: 'unit', chunk: string, tab: string}} Route */

/** @returns {Route} */
export function currentRoute() {
  const m = /^\/unit\/([^/]+)\/?$/.exec(location.pathname);
  if (m?.[1]) return { name: 'unit', chunk: decodeURIComponent(m[1]), tab: location.hash.slice(1) };
  return { name: 'home' };
}

const EVENT = 've:navigate';

/** @param {string} href */
export function navigate(href) {
  if (href === location.pathname + location.search + location.hash) return;
  history.pushState(null, '', href);
  dispatchEvent(new Event(EVENT));
  scrollTo(0, 0);
}

/** @param {string} chunk @param {string} [tab] */
export const unitHref = (chunk, tab) => `/unit/${encodeURIComponent(chunk)}${tab ? `#${tab}` : ''}`;

export function useRoute() {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    addEventListener('popstate', update);
    addEventListener(EVENT, update);
    return () => {
      removeEventListener('popstate', update);
      removeEventListener(EVENT, update);
    };
  }, []);
  return route;
}

/**
 * A real link (middle-click, copy address) that navigates in place on a plain click.
 * @param {{href: string, class?: string, children: import('preact').ComponentChildren, title?: string}} p
 */
export function Link({ href, children, ...rest }) {
  /** @param {MouseEvent} e */
  const click = (e) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return html`<a href=${href} onClick=${click} ...${rest}>${children}</a>`;
}
