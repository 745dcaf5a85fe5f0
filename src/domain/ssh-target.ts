/**
 * The address of a host as the operator writes it after `--ssh`: `[user@]host[:port]`, where host may
 * be an alias from the user's ~/.ssh/config. Pure parsing: anything ssh could read as an option, or
 * that carries spaces or shell characters, is refused, so a target can never smuggle an argument.
 */
import { ErrorCode, OrchError } from './errors.js';

/** `[user@]host[:port]`; host may be an alias from the user's ~/.ssh/config */
export interface SshTarget {
  user: string | null;
  host: string;
  port: number | null;
}

const USER = /^[A-Za-z0-9._][A-Za-z0-9._-]*$/;
/** names, aliases and IPv4 addresses; IPv6 goes in brackets */
const HOST = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;

/**
 * Parses what follows `--ssh`. Rejects anything ssh could read as an option (a leading '-') or that
 * carries spaces or shell characters, so a target can never smuggle an argument.
 */
export function parseSshTarget(text: string): SshTarget {
  const bad = (why: string) =>
    new OrchError(ErrorCode.invalid_input, `invalid ssh target ${JSON.stringify(text)}: ${why}`, {
      target: text,
    });
  const at = text.lastIndexOf('@');
  const user = at >= 0 ? text.slice(0, at) : null;
  if (user !== null && !USER.test(user)) throw bad('the user may hold letters, digits, ".", "_" and "-"');
  let rest = text.slice(at + 1);
  let port: number | null = null;
  let host: string;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) throw bad('unclosed "["');
    host = rest.slice(1, close);
    if (!IPV6.test(host)) throw bad('brackets hold an IPv6 address');
    rest = rest.slice(close + 1);
    if (rest && !rest.startsWith(':')) throw bad('expected ":port" after "]"');
    if (rest) port = parsePort(rest.slice(1), bad);
  } else {
    const colon = rest.indexOf(':');
    host = colon >= 0 ? rest.slice(0, colon) : rest;
    if (colon >= 0) port = parsePort(rest.slice(colon + 1), bad);
    if (!HOST.test(host))
      throw bad('the host may hold letters, digits, ".", "_" and "-", and not start with "-"');
  }
  return { user, host, port };
}

function parsePort(text: string, bad: (why: string) => Error): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) throw bad('the port is a number from 1 to 65535');
  return port;
}
