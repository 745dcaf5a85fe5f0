/**
 * Maps the SDK's message stream to our normalized AgentEvents (reference §7.2 table) and reads
 * session ids and usage off it. PURE.
 */
import type { SDKMessage, SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import type { AgentEvent, Usage } from '../../ports/agent-backend.js';

/** The events one SDK message stands for; most messages (status, hooks, tasks, …) map to none. */
export function toAgentEvents(msg: SDKMessage): AgentEvent[] {
  switch (msg.type) {
    case 'system':
      return msg.subtype === 'init'
        ? [{ type: 'session', session_id: msg.session_id, model: msg.model }]
        : [];
    case 'assistant':
      return assistantEvents(msg.message.content as unknown[]);
    case 'user':
      return 'isReplay' in msg && msg.isReplay ? [] : toolResultEvents(msg.message.content);
    case 'result':
      return [resultEvent(msg)];
    default:
      return [];
  }
}

function assistantEvents(content: unknown[]): AgentEvent[] {
  const out: AgentEvent[] = [];
  for (const block of content as { type: string; [k: string]: unknown }[]) {
    if (block.type === 'text' && typeof block.text === 'string' && block.text !== '') {
      out.push({ type: 'text', text: block.text });
    } else if (
      block.type === 'tool_use' ||
      block.type === 'server_tool_use' ||
      block.type === 'mcp_tool_use'
    ) {
      const input = block.input ?? {};
      const description = (input as { description?: unknown }).description;
      out.push({
        type: 'tool_call',
        tool_id: String(block.id),
        name: String(block.name),
        input,
        ...(typeof description === 'string' ? { description } : {}),
      });
    }
  }
  return out;
}

function toolResultEvents(content: unknown): AgentEvent[] {
  if (!Array.isArray(content)) return []; // a plain user turn (our prompt, guidance) echoed back
  return (content as { type: string; [k: string]: unknown }[])
    .filter((b) => b.type === 'tool_result')
    .map((b) => ({
      type: 'tool_result' as const,
      tool_use_id: String(b.tool_use_id),
      content: contentText(b.content),
      is_error: b.is_error === true,
    }));
}

function resultEvent(msg: SDKResultMessage): AgentEvent {
  return {
    type: 'result',
    subtype: msg.subtype,
    is_error: msg.is_error,
    num_turns: msg.num_turns,
    total_cost_usd: msg.total_cost_usd ?? 0,
    duration_ms: msg.duration_ms,
    session_id: msg.session_id || null,
    result_text: resultText(msg),
  };
}

/** The final text of a result: `result` on success, the joined `errors` otherwise. */
export function resultText(msg: SDKResultMessage): string | null {
  if (msg.subtype === 'success') return msg.result ?? null;
  return msg.errors?.length ? msg.errors.join('\n') : null;
}

/** Tool-result content is a string or a list of blocks; keep the text of it. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content))
    return content === undefined || content === null ? '' : JSON.stringify(content);
  return content
    .map((b: { type?: string; text?: string }) =>
      b.type === 'text' ? (b.text ?? '') : `[${b.type ?? 'block'}]`,
    )
    .join('\n');
}

/**
 * Cost and tokens of the run. `total_cost_usd` and `modelUsage` are cumulative over the query, so the
 * last result holds the whole run. Input tokens include cache reads and writes: all of it was sent.
 */
export function usageOf(result: SDKResultMessage | null): Usage {
  if (!result) return { cost_usd: 0, tokens_in: 0, tokens_out: 0 };
  const models = Object.values(result.modelUsage ?? {});
  if (models.length > 0) {
    return {
      cost_usd: result.total_cost_usd ?? 0,
      tokens_in: sum(models.map((m) => m.inputTokens + m.cacheReadInputTokens + m.cacheCreationInputTokens)),
      tokens_out: sum(models.map((m) => m.outputTokens)),
    };
  }
  const u = (result.usage ?? {}) as unknown as Partial<Record<string, number>>;
  return {
    cost_usd: result.total_cost_usd ?? 0,
    tokens_in:
      (u.input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0),
    tokens_out: u.output_tokens ?? 0,
  };
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
}

/** The session id a message carries, if any (init, assistant, user and result messages do). */
export function sessionIdOf(msg: SDKMessage): string | null {
  const id = (msg as { session_id?: unknown }).session_id;
  return typeof id === 'string' && id !== '' ? id : null;
}
