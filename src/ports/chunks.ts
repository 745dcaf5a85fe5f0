/** Reading and writing chunk documents (`docs/chunks/<name>/GOAL.md`, `PLAN.md`). */
import type { ChunkStatus } from '../domain/chunk-doc.js';

export interface ChunkDoc {
  name: string;
  dir: string;
  status: ChunkStatus;
  /** null = unknown (ask the oracle); [] = none; list = must finish first */
  depends_on: string[] | null;
  code_paths: string[];
  /** `path#Symbol` references */
  code_references: string[];
  /** GOAL.md without frontmatter */
  goal: string;
  /** PLAN.md without frontmatter; null when missing */
  plan: string | null;
  frontmatter: Record<string, unknown>;
}

/** GOAL.md's frontmatter as the COMPLETE check sees it: the raw status, or why it does not parse, naming the file. */
export interface GoalCheck {
  status: string | null;
  error: string | null;
}

export interface ChunkRepo {
  /** GOAL.md's status as written (any case, any value), or its YAML error; null when it is missing */
  inspectGoal(name: string, root?: string): Promise<GoalCheck | null>;
  /** reads a chunk from `root` (the host repo, or a worktree); NotFound / malformed_chunk errors */
  read(name: string, root?: string): Promise<ChunkDoc>;
  exists(name: string, root?: string): Promise<boolean>;
  list(root?: string): Promise<string[]>;
  /** reads another file of the chunk directory (e.g. REVIEW_FEEDBACK.md); null when missing */
  readArtifact(name: string, file: string, root?: string): Promise<string | null>;
  /** writes (content) or removes (null) another file of the chunk directory */
  writeArtifact(name: string, file: string, content: string | null, root?: string): Promise<void>;
  /** rewrites only the `status` key of GOAL.md frontmatter; everything else stays byte-for-byte */
  setStatus(name: string, status: ChunkStatus, root?: string): Promise<void>;
}
