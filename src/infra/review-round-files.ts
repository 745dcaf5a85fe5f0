/**
 * ReviewRounds on `.ve/chunks/<c>/review/`: `round-<n>-feedback.md` and `round-<n>-answer.md`, plain
 * files an operator can read too.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProjectPaths } from '../config/paths.js';
import type { ReviewRound, ReviewRounds } from '../ports/review-rounds.js';

export class ReviewRoundFiles implements ReviewRounds {
  constructor(private readonly paths: Pick<ProjectPaths, 'reviewDir'>) {}

  async saveFeedback(chunk: string, round: number, feedback: string): Promise<void> {
    await this.write(chunk, round, 'feedback', feedback);
  }

  async saveAnswer(chunk: string, round: number, answer: string): Promise<void> {
    await this.write(chunk, round, 'answer', answer);
  }

  async get(chunk: string, round: number): Promise<ReviewRound | null> {
    const feedback = await this.read(chunk, round, 'feedback');
    if (feedback === null) return null;
    return { round, feedback, answer: await this.read(chunk, round, 'answer') };
  }

  private file(chunk: string, round: number, part: 'feedback' | 'answer'): string {
    if (!Number.isSafeInteger(round) || round < 1)
      throw new RangeError(`review round ${round} is not a round`);
    return join(this.paths.reviewDir(chunk), `round-${round}-${part}.md`);
  }

  private async write(
    chunk: string,
    round: number,
    part: 'feedback' | 'answer',
    text: string,
  ): Promise<void> {
    const file = this.file(chunk, round, part);
    await mkdir(this.paths.reviewDir(chunk), { recursive: true });
    await writeFile(file, text);
  }

  private async read(chunk: string, round: number, part: 'feedback' | 'answer'): Promise<string | null> {
    try {
      return await readFile(this.file(chunk, round, part), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }
}
