/**
 * Phase prompts a team owns (issue 11 §5): `ve/prompts/<phase>.md`, committed on the base branch,
 * replaces the shipped body of that phase. It is read as committed at the base tip, never from a
 * worktree, so an agent's branch cannot rewrite its own instructions. An override that cannot be used
 * (an unknown placeholder, an empty file) is refused — never silently swapped for the shipped prompt.
 */
import { OrchError } from '../domain/errors.js';
import { PHASES, type Phase } from '../domain/work-unit.js';
import { knownPlaceholders, unknownPlaceholders } from './prompt.js';
import { loadPhaseTemplate, shippedPromptsDir } from './prompt-files.js';

export const PROMPT_OVERRIDE_DIR = 've/prompts';

/** `ve/prompts/plan.md` for PLAN. */
export const overridePath = (phase: Phase): string => `${PROMPT_OVERRIDE_DIR}/${phase.toLowerCase()}.md`;

export interface PhaseTemplate {
  text: string;
  /** where it came from, for logs: the shipped file, or `ve/prompts/plan.md on main (abc1234)` */
  origin: string;
}

/** A phase whose override is refused: the phase does not run until the file is fixed on base. */
export class PromptOverrideError extends OrchError {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super('invalid_input', message, { file });
    this.name = 'PromptOverrideError';
  }
}

/** Why `text` cannot serve as a phase template, or null. PURE. */
export function overrideProblem(text: string): string | null {
  if (text.trim() === '') return 'is empty';
  const unknown = unknownPlaceholders(text);
  if (unknown.length === 0) return null;
  const names = unknown.map((n) => `{{${n}}}`).join(', ');
  return `uses unknown placeholder${unknown.length > 1 ? 's' : ''} ${names}; the known placeholders are ${knownPlaceholders()}`;
}

/** The git side: files as committed on the base branch. */
export interface CommittedFiles {
  /** the base branch's tip now; null when base is not a branch */
  baseTip(): Promise<string | null>;
  /** a file as committed at `commit`, or null when it has none */
  read(commit: string, path: string): Promise<string | null>;
}

export interface PromptOverrideReport {
  /** the base tip the overrides were read at */
  base_tip: string | null;
  /** the override files in force (valid ones) */
  overrides: string[];
  problems: { phase: Phase; file: string; message: string }[];
}

export class PhasePrompts {
  /** override texts at one base tip (null: none for that phase); replaced when the tip moves */
  private cache: { tip: string; texts: Map<Phase, string | null> } | null = null;

  constructor(
    private readonly opts: {
      files: CommittedFiles;
      /** the base branch's name, for messages */
      base: string;
      /** the shipped templates; default: the package's prompts/ */
      shippedDir?: string;
    },
  ) {}

  /** The template PHASE runs with now; a refused override throws PromptOverrideError. */
  async template(phase: Phase): Promise<PhaseTemplate> {
    const tip = await this.opts.files.baseTip();
    const text = tip === null ? null : await this.override(tip, phase);
    if (text === null) {
      const dir = this.opts.shippedDir ?? shippedPromptsDir();
      return { text: await loadPhaseTemplate(phase, dir), origin: `${dir}/${phase.toLowerCase()}.md` };
    }
    const where = this.where(phase, tip as string);
    const problem = overrideProblem(text);
    if (problem) {
      throw new PromptOverrideError(
        overridePath(phase),
        `The project's prompt override ${where} ${problem}. Fix it on ${this.opts.base}, then retry; the ${phase} phase does not run with a broken prompt.`,
      );
    }
    return { text, origin: where };
  }

  /** Every override at the base tip, and what is wrong with each broken one (status, daemon start). */
  async report(): Promise<PromptOverrideReport> {
    const tip = await this.opts.files.baseTip();
    const out: PromptOverrideReport = { base_tip: tip, overrides: [], problems: [] };
    if (tip === null) return out;
    for (const phase of PHASES) {
      const text = await this.override(tip, phase);
      if (text === null) continue;
      const problem = overrideProblem(text);
      if (problem)
        out.problems.push({ phase, file: overridePath(phase), message: `${overridePath(phase)} ${problem}` });
      else out.overrides.push(overridePath(phase));
    }
    return out;
  }

  private where(phase: Phase, tip: string): string {
    return `${overridePath(phase)} on ${this.opts.base} (${tip.slice(0, 7)})`;
  }

  private async override(tip: string, phase: Phase): Promise<string | null> {
    if (this.cache?.tip !== tip) this.cache = { tip, texts: new Map() };
    const texts = this.cache.texts;
    if (!texts.has(phase)) texts.set(phase, await this.opts.files.read(tip, overridePath(phase)));
    return texts.get(phase) as string | null;
  }
}
