/** Table tests for failure classification and usage-limit reset parsing. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyFailure, type FailureEvidence, parseUsageLimitReset } from './failures.js';

const at = (iso: string) => Date.parse(iso);

describe('parseUsageLimitReset', () => {
  const cases: [text: string, now: string, expected: string | null][] = [
    // UTC and no zone
    ["You've hit your limit · resets 3pm (UTC)", '2026-03-10T10:00:00Z', '2026-03-10T15:00:00Z'],
    ["You've hit your limit · resets 3pm", '2026-03-10T10:00:00Z', '2026-03-10T15:00:00Z'],
    ['You’ve hit your limit · resets 3:30pm', '2026-03-10T10:00:00Z', '2026-03-10T15:30:00Z'],
    // past today → tomorrow
    ["You've hit your limit · resets 3pm (UTC)", '2026-03-10T16:00:00Z', '2026-03-11T15:00:00Z'],
    ["You've hit your limit · resets 3pm (UTC)", '2026-03-10T15:00:00Z', '2026-03-11T15:00:00Z'],
    // zones (Berlin is UTC+1 in winter, UTC+2 in summer)
    ["You've hit your limit · resets 3pm (Europe/Berlin)", '2026-01-15T10:00:00Z', '2026-01-15T14:00:00Z'],
    ["You've hit your limit · resets 3pm (Europe/Berlin)", '2026-07-15T10:00:00Z', '2026-07-15T13:00:00Z'],
    ["You've hit your limit · resets 3pm (Europe/Berlin)", '2026-07-15T13:30:00Z', '2026-07-16T13:00:00Z'],
    ["You've hit your limit · resets 9am (America/New_York)", '2026-01-15T12:00:00Z', '2026-01-15T14:00:00Z'],
    // "today" is the zone's date, not UTC's: 23:30 UTC is already the 16th in Tokyo
    ["You've hit your limit · resets 10am (Asia/Tokyo)", '2026-01-15T23:30:00Z', '2026-01-16T01:00:00Z'],
    // 12am/12pm
    ["You've hit your limit · resets 12am (UTC)", '2026-03-10T10:00:00Z', '2026-03-11T00:00:00Z'],
    ["You've hit your limit · resets 12pm (UTC)", '2026-03-10T10:00:00Z', '2026-03-10T12:00:00Z'],
    // unknown zone → UTC
    ["You've hit your limit · resets 3pm (Mars/Olympus)", '2026-03-10T10:00:00Z', '2026-03-10T15:00:00Z'],
    // 24h clock and "at"
    ['Session limit reached, resets at 17:45', '2026-03-10T10:00:00Z', '2026-03-10T17:45:00Z'],
    // ISO
    ['Rate limit exceeded; resets 2026-03-10T18:00:00Z', '2026-03-10T10:00:00Z', '2026-03-10T18:00:00Z'],
    [
      'usage limit reached, resets at 2026-03-10T18:00:00+02:00',
      '2026-03-10T10:00:00Z',
      '2026-03-10T16:00:00Z',
    ],
    // not a limit message, or no readable time
    ['API Error: 529 overloaded', '2026-03-10T10:00:00Z', null],
    ["You've hit your limit", '2026-03-10T10:00:00Z', null],
    ["You've hit your limit · resets soon", '2026-03-10T10:00:00Z', null],
    ["You've hit your limit · resets 13pm", '2026-03-10T10:00:00Z', null],
    ['The build resets 3pm every day', '2026-03-10T10:00:00Z', null],
  ];
  for (const [text, now, expected] of cases) {
    it(`${JSON.stringify(text)} at ${now} → ${expected}`, () => {
      const got = parseUsageLimitReset(text, at(now));
      assert.equal(
        got === null ? null : new Date(got).toISOString(),
        expected && new Date(expected).toISOString(),
      );
    });
  }
});

describe('classifyFailure', () => {
  const now = at('2026-03-10T10:00:00Z');
  const errorResult = (text: string, subtype = 'success'): FailureEvidence => ({
    result: { subtype, is_error: true, result: text },
    assistantError: null,
    thrown: null,
    stderr: '',
  });
  const cases: [name: string, ev: FailureEvidence, code: string, retryable: boolean][] = [
    ['529', errorResult('API Error: 529 {"type":"overloaded_error"}'), 'overloaded', true],
    ['overloaded', errorResult('Overloaded'), 'overloaded', true],
    ['500', errorResult('API Error: 500 Internal server error'), 'api_5xx', true],
    ['503', errorResult('Service Unavailable'), 'api_5xx', true],
    ['api_error', errorResult('{"type":"api_error"}'), 'api_5xx', true],
    [
      'a malformed stream',
      errorResult(
        'API Error: API returned an empty or malformed response (HTTP 200) — check for a proxy or gateway intercepting the request.',
      ),
      'api_5xx',
      true,
    ],
    ['rate limit', errorResult('API Error: 429 rate_limit_error'), 'rate_limit', true],
    ['400 is not retryable', errorResult('API Error: 400 invalid_request_error'), 'error_result', false],
    ['auth text', errorResult('Not logged in · Please run /login'), 'auth', false],
    [
      'auth from the assistant error',
      { ...errorResult('Claude Code returned an error'), assistantError: 'authentication_failed' },
      'auth',
      false,
    ],
    ['max turns', { ...errorResult('', 'error_max_turns') }, 'max_turns', false],
    ['budget', { ...errorResult('', 'error_max_budget_usd') }, 'budget', false],
    [
      'crash',
      {
        result: null,
        assistantError: null,
        thrown: 'Claude Code process exited with code 1',
        stderr: 'boom',
      },
      'process_exit',
      false,
    ],
    ['no result', { result: null, assistantError: null, thrown: null, stderr: '' }, 'no_result', false],
  ];
  for (const [name, ev, code, retryable] of cases) {
    it(`classifies ${name} as ${code}`, () => {
      const f = classifyFailure(ev, now);
      assert.equal(f.code, code);
      assert.equal(f.retryable, retryable);
      assert.equal(f.retryAt, undefined);
    });
  }

  it('checks the usage limit before the 5xx rule and carries retryAt', () => {
    const f = classifyFailure(errorResult("You've hit your limit · resets 3pm (UTC) [503]"), now);
    assert.deepEqual(
      { code: f.code, retryable: f.retryable, retryAt: f.retryAt },
      { code: 'usage_limit', retryable: true, retryAt: at('2026-03-10T15:00:00Z') },
    );
  });

  it('keeps the result text as the message', () => {
    assert.equal(
      classifyFailure(errorResult('API Error: 529 overloaded'), now).message,
      'API Error: 529 overloaded',
    );
  });
});
