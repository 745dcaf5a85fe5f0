/**
 * The REVIEW phase's in-process MCP server `orchestrator` with its one tool, `ReviewDecision`
 * (DESIGN §7): the reviewer reports APPROVE, FEEDBACK or ESCALATE here and the backend captures it.
 */
import type { McpSdkServerConfigWithInstance } from '@anthropic-ai/claude-agent-sdk';
import { z } from 'zod/v4';
import type { ReviewDecision } from '../../ports/agent-backend.js';

export const REVIEW_SERVER_NAME = 'orchestrator';
export const REVIEW_TOOL_NAME = 'ReviewDecision';
/** the name the model sees and permission requests carry */
export const REVIEW_TOOL_FULL_NAME = `mcp__${REVIEW_SERVER_NAME}__${REVIEW_TOOL_NAME}`;

const reviewShape = {
  decision: z
    .enum(['APPROVE', 'FEEDBACK', 'ESCALATE'])
    .describe(
      'APPROVE: ready to complete. FEEDBACK: send back to IMPLEMENT to fix the blocking issues. ESCALATE: the operator must decide.',
    ),
  summary: z.string().min(1).describe('One paragraph: what was reviewed and the verdict.'),
  issues: z
    .array(
      z.object({
        location: z.string().optional().describe('file path, optionally with a line or symbol'),
        concern: z.string().describe('what is wrong'),
        suggestion: z.string().optional().describe('how to fix it'),
        blocking: z
          .boolean()
          .describe(
            'true: must be fixed before the chunk can land (sends it back to IMPLEMENT). false: a note or suggestion that does not hold the chunk up.',
          ),
      }),
    )
    .default([])
    .describe(
      'Your findings, each marked blocking or not. Only blocking issues send the chunk back: FEEDBACK whose issues are all non-blocking counts as an approval, with the notes kept.',
    ),
  reason: z.string().optional().describe('For ESCALATE: why a human must decide.'),
};

/** Why a decision contradicts itself (and is refused), or null. */
export function inconsistency(d: ReviewDecision): string | null {
  const blocking = d.issues.filter((i) => i.blocking).length;
  if (d.decision === 'APPROVE' && blocking > 0)
    return `APPROVE with ${blocking} blocking issue(s). Decide FEEDBACK, or mark the issues blocking: false if the chunk may land as it is.`;
  if (d.decision === 'FEEDBACK' && d.issues.length === 0)
    return 'FEEDBACK without issues. List what must change, each issue with blocking: true, or decide APPROVE.';
  return null;
}

/** What the reviewer is told once its decision is recorded. */
function receipt(d: ReviewDecision): string {
  if (d.decision === 'FEEDBACK' && !d.issues.some((i) => i.blocking))
    return 'Review decision recorded. No issue is blocking, so it counts as an approval; your notes are kept with the chunk.';
  return `Review decision '${d.decision}' recorded.`;
}

/**
 * A fresh server per phase run; `onDecision` receives each decision the reviewer records (the backend
 * keeps the last one, so a reviewer can correct itself). `sdk` is the loaded Agent SDK module.
 */
export function createReviewServer(
  sdk: Pick<typeof import('@anthropic-ai/claude-agent-sdk'), 'createSdkMcpServer' | 'tool'>,
  onDecision: (d: ReviewDecision) => void,
): McpSdkServerConfigWithInstance {
  const { createSdkMcpServer, tool } = sdk;
  const reviewTool = tool(
    REVIEW_TOOL_NAME,
    'Record your review decision for this chunk. Call it exactly once, at the end of the review.',
    reviewShape,
    async (args) => {
      const decision: ReviewDecision = {
        decision: args.decision,
        summary: args.summary,
        issues: (args.issues ?? []).map((i) => ({
          concern: i.concern,
          ...(i.location ? { location: i.location } : {}),
          ...(i.suggestion ? { suggestion: i.suggestion } : {}),
          blocking: i.blocking,
        })),
        ...(args.reason ? { reason: args.reason } : {}),
      };
      const refused = inconsistency(decision);
      // refused in the session, so the reviewer corrects itself instead of the orchestrator guessing
      if (refused) return { isError: true, content: [{ type: 'text', text: `Not recorded: ${refused}` }] };
      onDecision(decision);
      return { content: [{ type: 'text', text: receipt(decision) }] };
    },
    { alwaysLoad: true },
  );
  // alwaysLoad: keep the tool in the model's tool list instead of deferring it behind ToolSearch
  return createSdkMcpServer({
    name: REVIEW_SERVER_NAME,
    version: '1.0.0',
    tools: [reviewTool],
    alwaysLoad: true,
  });
}
