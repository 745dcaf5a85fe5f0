/**
 * TCP-side guards (DESIGN §5): a token on every request, Host pinned to loopback (DNS rebinding),
 * and same-origin for mutating requests and WebSocket upgrades (CSRF). The unix socket skips these:
 * its 0600 file mode is the guard.
 */
import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { errorBody } from './errors.js';

export const TOKEN_COOKIE = 've_token';

export interface TcpGuardOptions {
  token: string;
  /** the listening port, to pin Host and Origin */
  port: () => number;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
}

function allowedOrigin(origin: string, hosts: Set<string>): boolean {
  return origin.startsWith('http://') && hosts.has(origin.slice('http://'.length));
}

export function tcpGuard(opts: TcpGuardOptions): MiddlewareHandler {
  return async (c, next) => {
    const port = opts.port();
    const hosts = allowedHosts(port);
    const host = c.req.header('host') ?? '';
    if (!hosts.has(host)) return c.json(errorBody('forbidden', 'foreign Host header refused'), 403);

    const origin = c.req.header('origin');
    const mutating = !['GET', 'HEAD', 'OPTIONS'].includes(c.req.method);
    const upgrade = (c.req.header('upgrade') ?? '').toLowerCase() === 'websocket';
    // compare whole origins: a scheme-less or https Origin is not this http listener
    if ((mutating || upgrade) && origin !== undefined && !allowedOrigin(origin, hosts)) {
      return c.json(errorBody('forbidden', 'cross-origin request refused'), 403);
    }
    if ((mutating || upgrade) && c.req.header('sec-fetch-site') === 'cross-site') {
      return c.json(errorBody('forbidden', 'cross-site request refused'), 403);
    }

    const queryToken = c.req.query('token');
    if (c.req.method === 'GET' && c.req.path === '/' && queryToken !== undefined) {
      if (!sameToken(queryToken, opts.token))
        return c.html(loginPage('That token is not right. Check it and try again.'), 401);
      setCookie(c, TOKEN_COOKIE, opts.token, { httpOnly: true, sameSite: 'Strict', path: '/' });
      return c.redirect('/', 303);
    }
    const bearer = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    const presented = bearer ?? getCookie(c, TOKEN_COOKIE);
    if (presented === undefined || !sameToken(presented, opts.token)) {
      if (c.req.method === 'GET' && c.req.path === '/') return c.html(loginPage(null), 401);
      return c.json(
        errorBody('unauthorized', 'missing or wrong token (see .ve/orchestrator.token or run: ve orch url)'),
        401,
      );
    }
    await next();
  };
}

function loginPage(error: string | null): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><title>ve — token needed</title>
<style>body{font:16px system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}
input{font:inherit;padding:.5rem;width:100%;box-sizing:border-box}button{font:inherit;margin-top:.75rem;padding:.5rem 1rem}
.error{color:#b3261e;font-weight:600}@media (prefers-color-scheme: dark){.error{color:#f2b8b5}}</style>
</head><body><h1>ve orchestrator</h1>${error ? `<p class="error" role="alert">${error}</p>` : ''}<p>This dashboard needs its access token. Run <code>ve orch url</code> in the project
and open the link it prints, or paste the token from <code>.ve/orchestrator.token</code>:</p>
<form method="get" action="/"><label for="t">Token</label><input id="t" name="token" autocomplete="off" required>
<button type="submit">Open dashboard</button></form></body></html>`;
}
