/**
 * A stand-in Claude Code executable for process-level tests: it answers the SDK's initialize
 * request, says one line of text, and then works "forever" (until interrupted or killed), so units
 * stay RUNNING while a test looks at them. Written to a file and passed to the daemon as
 * VE_CLAUDE_PATH (stack notes §1: a `.mjs` path is run with node).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SCRIPT = String.raw`
import { createInterface } from 'node:readline';
import { randomUUID } from 'node:crypto';
const arg = process.argv.find((a) => a.startsWith('--session-id=') || a.startsWith('--resume='));
const sid = arg ? arg.slice(arg.indexOf('=') + 1) : randomUUID();
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const ok = (id) => out({ type: 'control_response', response: { subtype: 'success', request_id: id, response: {} } });
const rl = createInterface({ input: process.stdin });
// like the real CLI: stdin closing (the SDK is done, or the daemon died) ends the process
rl.on('close', () => process.exit(0));
rl.on('line', (line) => {
  let m;
  try { m = JSON.parse(line); } catch { return; }
  if (m.type === 'control_request' && m.request?.subtype === 'initialize') {
    ok(m.request_id);
    out({ type: 'system', subtype: 'init', session_id: sid, cwd: process.cwd(), tools: [], mcp_servers: [], model: 'fake',
      permissionMode: 'default', slash_commands: [], apiKeySource: 'none', claude_code_version: 'fake',
      output_style: 'default', skills: [], plugins: [], uuid: randomUUID() });
  } else if (m.type === 'user') {
    out({ type: 'assistant', session_id: sid, parent_tool_use_id: null, uuid: randomUUID(), message: { id: 'm1',
      type: 'message', role: 'assistant', model: 'fake', content: [{ type: 'text', text: 'hanging-claude is working' }],
      stop_reason: null, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } } });
  } else if (m.type === 'control_request' && m.request?.subtype === 'interrupt') {
    ok(m.request_id);
    out({ type: 'result', subtype: 'error_during_execution', is_error: true, errors: ['interrupted'], session_id: sid,
      num_turns: 1, duration_ms: 1, duration_api_ms: 1, stop_reason: null, total_cost_usd: 0,
      usage: { input_tokens: 1, output_tokens: 1 }, modelUsage: {}, permission_denials: [], uuid: randomUUID() });
  }
});
setInterval(() => {}, 1 << 30);
`;

/** Writes the script into `dir` and returns its path. */
export function writeHangingClaude(dir: string): string {
  const path = join(dir, 'hanging-claude.mjs');
  writeFileSync(path, SCRIPT);
  return path;
}
