/**
 * Push notifications for new attention items: a configured shell command (the item as JSON on stdin,
 * VE_CHUNK/VE_KIND/VE_REASON in its env) and/or a POST to a loopback webhook. Failures are logged only.
 */
import { spawn } from 'node:child_process';
import type { Logger } from '../ports/logger.js';
import type { AttentionNotice, Notifier } from '../ports/notifier.js';

const TIMEOUT_MS = 10_000;

export class CommandAndWebhookNotifier implements Notifier {
  constructor(
    private readonly cwd: string,
    private readonly log: Logger,
  ) {}

  async notify(
    notice: AttentionNotice,
    target: { command: string | null; webhook: string | null },
  ): Promise<void> {
    const body = JSON.stringify(notice);
    await Promise.all([
      target.command ? this.runCommand(target.command, body, notice) : Promise.resolve(),
      target.webhook ? this.post(target.webhook, body) : Promise.resolve(),
    ]);
  }

  private runCommand(command: string, body: string, notice: AttentionNotice): Promise<void> {
    return new Promise((resolve) => {
      const child = spawn('/bin/sh', ['-c', command], {
        cwd: this.cwd,
        env: { ...process.env, VE_CHUNK: notice.chunk, VE_KIND: notice.kind, VE_REASON: notice.reason },
        stdio: ['pipe', 'ignore', 'pipe'],
        timeout: TIMEOUT_MS,
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-2000);
      });
      child.on('error', (error) => {
        this.log.warn('notify command failed to start', { chunk: notice.chunk, error });
        resolve();
      });
      child.on('close', (code) => {
        if (code !== 0) this.log.warn('notify command failed', { chunk: notice.chunk, code, stderr });
        resolve();
      });
      child.stdin.end(body);
    });
  }

  private async post(url: string, body: string): Promise<void> {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (!res.ok) this.log.warn('notify webhook answered with an error', { url, status: res.status });
    } catch (error) {
      this.log.warn('notify webhook failed', { url, error });
    }
  }
}
