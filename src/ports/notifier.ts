/** Push notifications for new attention items (a configured command or a loopback webhook). */
export interface AttentionNotice {
  chunk: string;
  kind: string;
  phase: string;
  reason: string;
  blocks_count: number;
  raised_at: string;
  url: string | null;
}

export interface Notifier {
  notify(notice: AttentionNotice, target: { command: string | null; webhook: string | null }): Promise<void>;
}
