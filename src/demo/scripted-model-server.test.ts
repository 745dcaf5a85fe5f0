/** The scripted Messages API itself: SSE framing, errors on demand, count_tokens, 404, recording. */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  type ModelReply,
  type ScriptedModelServer,
  startScriptedModelServer,
} from './scripted-model-server.js';

let server: ScriptedModelServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const body = { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] };
const post = (path: string, payload: unknown = body) =>
  fetch(`${server!.url}${path}`, { method: 'POST', body: JSON.stringify(payload) });

/** Parses `event: x\ndata: {...}\n\n` frames. */
function frames(text: string): { event: string; data: { type: string; [k: string]: unknown } }[] {
  return text
    .trim()
    .split('\n\n')
    .map((f) => {
      const [ev, data] = f.split('\n');
      return { event: ev!.slice('event: '.length), data: JSON.parse(data!.slice('data: '.length)) };
    });
}

describe('scripted model server', () => {
  it('streams text and tool calls as Messages API SSE events and records the request', async () => {
    server = await startScriptedModelServer(() => ({
      text: 'hello',
      toolUses: [{ id: 'toolu_1', name: 'Write', input: { file_path: 'a', content: 'b' } }],
    }));
    const res = await post('/v1/messages?beta=true');
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    const fs = frames(await res.text());
    assert.deepEqual(
      fs.map((f) => f.event),
      [
        'message_start',
        'content_block_start',
        'content_block_delta',
        'content_block_stop',
        'content_block_start',
        'content_block_delta',
        'content_block_stop',
        'message_delta',
        'message_stop',
      ],
    );
    assert.ok(fs.every((f) => f.event === f.data.type));
    assert.deepEqual(fs[2]!.data.delta, { type: 'text_delta', text: 'hello' });
    assert.deepEqual(JSON.parse((fs[5]!.data.delta as { partial_json: string }).partial_json), {
      file_path: 'a',
      content: 'b',
    });
    assert.equal((fs[7]!.data.delta as { stop_reason: string }).stop_reason, 'tool_use');
    assert.deepEqual(server.messageRequests(), [body]);
  });

  it('ends a text-only reply with end_turn', async () => {
    server = await startScriptedModelServer(() => ({ text: 'bye' }));
    const fs = frames(await (await post('/v1/messages')).text());
    assert.equal((fs.at(-2)!.data.delta as { stop_reason: string }).stop_reason, 'end_turn');
  });

  it('returns HTTP errors and malformed streams on demand', async () => {
    const replies: ModelReply[] = [{ httpError: 529, errorType: 'overloaded_error' }, { malformed: true }];
    server = await startScriptedModelServer((_req, i) => replies[i]!);
    const overloaded = await post('/v1/messages');
    assert.equal(overloaded.status, 529);
    assert.equal(((await overloaded.json()) as { error: { type: string } }).error.type, 'overloaded_error');
    const malformed = await (await post('/v1/messages')).text();
    assert.throws(() => frames(malformed));
  });

  it('answers count_tokens and 404s anything else', async () => {
    server = await startScriptedModelServer(() => ({ text: 'x' }));
    const count = await post('/v1/messages/count_tokens');
    assert.equal(typeof ((await count.json()) as { input_tokens: number }).input_tokens, 'number');
    assert.equal((await post('/v1/models')).status, 404);
    assert.deepEqual(
      server.requests.map((r) => r.path),
      ['/v1/messages/count_tokens', '/v1/models'],
    );
    assert.deepEqual(server.messageRequests(), []);
  });
});
