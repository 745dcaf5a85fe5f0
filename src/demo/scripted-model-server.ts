/**
 * A scripted Anthropic Messages API on 127.0.0.1 for driving the real Claude Code binary offline
 * (stack-notes §10). The test's handler decides each reply from the full request; every request is
 * recorded. Also: where the bundled binary lives, and the child env that points it here.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

/** The parts of a /v1/messages request body a handler usually looks at. */
export interface MessagesRequest {
  model: string;
  stream?: boolean;
  system?: string | { type: string; text: string }[];
  tools?: { name: string; description?: string; input_schema?: unknown }[];
  messages: { role: 'user' | 'assistant' | 'system'; content: string | ContentBlock[] }[];
  [key: string]: unknown;
}

export type ContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: unknown; is_error?: boolean }
  | { type: string; [key: string]: unknown };

/** What the model says next. */
export type ModelReply =
  | { text?: string; toolUses?: { id?: string; name: string; input: unknown }[] }
  | { httpError: number; errorType?: string; message?: string }
  | { malformed: true };

export type ModelHandler = (req: MessagesRequest, index: number) => ModelReply | Promise<ModelReply>;

export interface RecordedRequest {
  path: string;
  body: MessagesRequest | null;
}

export interface ScriptedModelServer {
  url: string;
  /** every request in arrival order (count_tokens and 404s included) */
  requests: RecordedRequest[];
  /** only the /v1/messages requests, in order */
  messageRequests(): MessagesRequest[];
  close(): Promise<void>;
}

export async function startScriptedModelServer(handler: ModelHandler): Promise<ScriptedModelServer> {
  const requests: RecordedRequest[] = [];
  let messageIndex = 0;
  let toolCounter = 0;
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: String(err) } }));
    });
  });
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    const raw = await readBody(req);
    const body = raw ? (JSON.parse(raw) as MessagesRequest) : null;
    requests.push({ path, body });
    if (req.method === 'POST' && path === '/v1/messages/count_tokens') {
      return json(res, 200, { input_tokens: Math.ceil(raw.length / 4) });
    }
    if (req.method !== 'POST' || path !== '/v1/messages' || !body)
      return json(res, 404, { error: 'not found' });
    const reply = await handler(body, messageIndex++);
    if ('httpError' in reply) {
      return json(res, reply.httpError, {
        type: 'error',
        error: { type: reply.errorType ?? 'api_error', message: reply.message ?? 'scripted error' },
      });
    }
    if ('malformed' in reply) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.end('event: message_start\ndata: {"type":"message_start","message":{not json\n\n');
      return;
    }
    const blocks: ContentBlock[] = [];
    if (reply.text) blocks.push({ type: 'text', text: reply.text });
    for (const t of reply.toolUses ?? []) {
      blocks.push({
        type: 'tool_use',
        id: t.id ?? `toolu_scripted_${++toolCounter}`,
        name: t.name,
        input: t.input,
      });
    }
    const stopReason = reply.toolUses?.length ? 'tool_use' : 'end_turn';
    if (body.stream !== true) {
      // Claude Code retries a broken stream without streaming: that request wants one JSON message
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(message(body.model, blocks, stopReason)));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.end(sse(body.model, blocks, stopReason));
  };
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    messageRequests: () => requests.filter((r) => r.path === '/v1/messages' && r.body).map((r) => r.body!),
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** One assistant message as a non-streaming reply. */
function message(model: string, content: ContentBlock[], stopReason: string) {
  return {
    id: `msg_${Math.random().toString(36).slice(2)}`,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: { input_tokens: 10, output_tokens: 6 },
  };
}

/** The SSE event sequence of one streamed assistant message. */
function sse(model: string, blocks: ContentBlock[], stopReason: string): string {
  const frames: unknown[] = [
    {
      type: 'message_start',
      message: {
        id: `msg_${Math.random().toString(36).slice(2)}`,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 10, output_tokens: 1 },
      },
    },
  ];
  blocks.forEach((b, index) => {
    if (b.type === 'text') {
      frames.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      frames.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: b.text } });
    } else {
      const t = b as { id: string; name: string; input: unknown };
      frames.push({
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id: t.id, name: t.name, input: {} },
      });
      frames.push({
        type: 'content_block_delta',
        index,
        delta: { type: 'input_json_delta', partial_json: JSON.stringify(t.input) },
      });
    }
    frames.push({ type: 'content_block_stop', index });
  });
  frames.push({
    type: 'message_delta',
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: { output_tokens: 5 },
  });
  frames.push({ type: 'message_stop' });
  return frames.map((f) => `event: ${(f as { type: string }).type}\ndata: ${JSON.stringify(f)}\n\n`).join('');
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

// ---- request helpers for handlers ----

/** All tool_result blocks in the request, in order. */
export function toolResults(
  req: MessagesRequest,
): { tool_use_id: string; text: string; is_error: boolean }[] {
  const out: { tool_use_id: string; text: string; is_error: boolean }[] = [];
  for (const m of req.messages) {
    if (m.role !== 'user' || typeof m.content === 'string') continue;
    for (const b of m.content) {
      if (b.type !== 'tool_result') continue;
      const r = b as { tool_use_id: string; content: unknown; is_error?: boolean };
      out.push({ tool_use_id: r.tool_use_id, text: contentText(r.content), is_error: r.is_error === true });
    }
  }
  return out;
}

/** The result of the tool call with this id, if the agent has sent it back yet. */
export function toolResultFor(req: MessagesRequest, toolUseId: string) {
  return toolResults(req).find((r) => r.tool_use_id === toolUseId);
}

/**
 * Every text the request carries outside assistant turns: the prompt, system reminders, tool results
 * and guidance (Claude Code hands a message sent mid-turn to the model as a `system`-role message).
 */
export function userText(req: MessagesRequest): string {
  return req.messages
    .filter((m) => m.role !== 'assistant')
    .map((m) => contentText(m.content))
    .join('\n');
}

type Step = ModelReply | ((req: MessagesRequest) => ModelReply | Promise<ModelReply>);

/**
 * A handler that answers the main agent loop's requests with `steps` in order (a function step sees
 * the request), side requests (titles, summaries) with a short text, and anything past the end with
 * `done`.
 */
export function replySequence(steps: Step[]): ModelHandler {
  let next = 0;
  return (req) => {
    if (!isMainLoop(req)) return { text: 'ok' };
    const step = steps[next++] ?? { text: 'done' };
    return typeof step === 'function' ? step(req) : step;
  };
}

/** The main agent loop's requests carry the full tool list; side requests (titles etc.) do not. */
export function isMainLoop(req: MessagesRequest): boolean {
  return (req.tools ?? []).some((t) => t.name === 'Write' || t.name === 'Bash');
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((b: { type?: string; text?: string; content?: unknown }) =>
      b.type === 'text' ? (b.text ?? '') : b.type === 'tool_result' ? contentText(b.content) : '',
    )
    .join('\n');
}

/** Absolute path of the Claude Code binary shipped with the SDK (per-platform optional package). */
export function claudeBinaryPath(): string {
  const require = createRequire(import.meta.url);
  const pkg = `@anthropic-ai/claude-agent-sdk-${process.platform}-${process.arch}`;
  return require.resolve(`${pkg}/claude`);
}

/** Child env (added to process.env by the backend) that points Claude Code at the scripted server. */
export function envForScriptedModel(serverUrl: string, homeDir: string): Record<string, string> {
  return {
    ANTHROPIC_BASE_URL: serverUrl,
    ANTHROPIC_API_KEY: 'dummy',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    HOME: homeDir,
  };
}
