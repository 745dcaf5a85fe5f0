/**
 * Classifies how a Claude Code run failed (reference §6.5) into an AgentFailure, and parses the
 * reset time out of usage-limit messages. PURE: time comes in as `now` (epoch ms).
 */
import type { AgentFailure } from '../../ports/agent-backend.js';

/** What the backend saw of a run that did not complete. */
export interface FailureEvidence {
  /** the last `result` message, if one arrived */
  result: { subtype: string; is_error: boolean; result?: string; errors?: string[] } | null;
  /** the last `error` code on an assistant message (`authentication_failed`, `overloaded`, …) */
  assistantError: string | null;
  /** the message of what the SDK iterator threw, if it threw */
  thrown: string | null;
  /** the tail of the CLI's stderr */
  stderr: string;
}

const LIMIT_PHRASE =
  /you(?:'|’)?ve hit your (?:\w+ )?limit|(?:rate|session|usage) limit (?:exceeded|reached|hit)|usage limit/i;
const RESET_CLOCK = /\bresets?\s+(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\s*(?:\(([^)]+)\))?/i;
const RESET_ISO =
  /\bresets?\s+(?:at\s+)?(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))/i;
const AUTH_ERRORS = new Set([
  'authentication_failed',
  'oauth_org_not_allowed',
  'account_on_hold',
  'verification_required',
  'billing_error',
  'cloud_credential_error',
]);
const AUTH_TEXT =
  /not logged in|please run \/login|invalid api key|authentication_error|authentication failed|\b401\b/i;
const RATE_TEXT = /rate_limit|rate limit|\b429\b/i;
const OVERLOADED_TEXT = /overloaded|\b529\b/i;
// "empty or malformed response": Claude Code's words for a broken stream whose non-streaming retry
// broke too (seen against a scripted server); a transport failure, as transient as a 5xx
const SERVER_TEXT =
  /\b5\d\d\b|internal server error|bad gateway|service unavailable|gateway timeout|api_error|empty or malformed response/i;

export function classifyFailure(ev: FailureEvidence, now: number): AgentFailure {
  const resultText = [ev.result?.result, ...(ev.result?.errors ?? [])].filter(Boolean).join('\n');
  const text = [resultText, ev.thrown, ev.result ? '' : ev.stderr].filter(Boolean).join('\n');
  const message = (resultText || ev.thrown || ev.stderr || 'the agent ended without a result').slice(0, 2000);
  const fail = (code: AgentFailure['code'], retryable: boolean): AgentFailure => ({
    code,
    message,
    retryable,
  });

  // reference §6.5: the usage limit is checked before the 5xx rule; unparseable → an ordinary error
  const retryAt = parseUsageLimitReset(text, now);
  if (retryAt !== null) return { ...fail('usage_limit', true), retryAt };
  if (ev.result?.subtype === 'error_max_turns') return fail('max_turns', false);
  if (ev.result?.subtype === 'error_max_budget_usd') return fail('budget', false);
  const ae = ev.assistantError ?? '';
  if (AUTH_ERRORS.has(ae) || AUTH_TEXT.test(text)) return fail('auth', false);
  if (ae === 'rate_limit' || RATE_TEXT.test(text)) return fail('rate_limit', true);
  if (ae === 'overloaded' || OVERLOADED_TEXT.test(text)) return fail('overloaded', true);
  if (ae === 'server_error' || SERVER_TEXT.test(text)) return fail('api_5xx', true);
  if (ev.result) return fail('error_result', false);
  // a crash (`Claude Code process exited with code N`) or a spawn failure
  if (ev.thrown) return fail('process_exit', false);
  return fail('no_result', false);
}

/**
 * The epoch ms at which a usage/session limit resets, or null when `text` is not such a message or
 * carries no readable time. `3pm (Europe/Berlin)` means the next 15:00 in that zone (today, or
 * tomorrow when that has passed); no zone or an unknown zone means UTC.
 */
export function parseUsageLimitReset(text: string, now: number): number | null {
  if (!LIMIT_PHRASE.test(text)) return null;
  const iso = RESET_ISO.exec(text);
  if (iso) {
    const t = Date.parse(iso[1] as string);
    return Number.isNaN(t) ? null : t;
  }
  const clock = RESET_CLOCK.exec(text);
  if (!clock) return null;
  let hour = Number(clock[1]);
  const minute = clock[2] === undefined ? 0 : Number(clock[2]);
  const meridiem = clock[3]?.toLowerCase();
  if (meridiem === undefined && clock[2] === undefined) return null; // "resets 3" is not a time
  if (meridiem && (hour < 1 || hour > 12)) return null;
  if (hour > 23 || minute > 59) return null;
  if (meridiem === 'am' && hour === 12) hour = 0;
  if (meridiem === 'pm' && hour !== 12) hour += 12;
  const zone = clock[4] && isKnownTimeZone(clock[4].trim()) ? clock[4].trim() : 'UTC';
  const today = wallDate(zone, now);
  let at = wallTimeToEpoch(zone, today.y, today.m, today.d, hour, minute);
  if (at <= now) at = wallTimeToEpoch(zone, today.y, today.m, today.d + 1, hour, minute);
  return at;
}

/** Probe: does Intl know this IANA zone name? */
function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch (e) {
    // Intl answers an unknown zone with a RangeError; anything else is not an answer
    if (e instanceof RangeError) return false;
    throw e;
  }
}

function zoneParts(zone: string, epoch: number) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(epoch);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return {
    y: get('year'),
    m: get('month'),
    d: get('day'),
    h: get('hour') % 24,
    mi: get('minute'),
    s: get('second'),
  };
}

function wallDate(zone: string, epoch: number) {
  const p = zoneParts(zone, epoch);
  return { y: p.y, m: p.m, d: p.d };
}

/** The zone's offset from UTC (ms) at `epoch`. */
function offsetAt(zone: string, epoch: number): number {
  const p = zoneParts(zone, epoch);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi, p.s) - Math.floor(epoch / 1000) * 1000;
}

/** The instant at which the wall clock in `zone` shows this date and time (day may overflow). */
function wallTimeToEpoch(zone: string, y: number, m: number, d: number, h: number, mi: number): number {
  const asUtc = Date.UTC(y, m - 1, d, h, mi);
  const first = asUtc - offsetAt(zone, asUtc);
  const second = asUtc - offsetAt(zone, first);
  return second;
}
