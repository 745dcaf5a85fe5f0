/**
 * Units on hosts through the whole orchestrator (scheduler, runner, merges, host monitor), with the
 * ssh stand-in for hosts and a scripted agent acting in the host's worktree: a unit runs every phase
 * on its host and lands; a host lost mid-phase holds its unit until it is back, then the same session
 * resumes there with nothing lost; a host removed for good has its unit restart elsewhere from the
 * last fetched state, the loss named, and its old copy swept when it answers again; a host without a
 * free slot holds its unit until its slots are raised; a deleted unit's copy is removed from its host.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RESUME_AFTER_HOST_LOSS } from '../../src/runner/remote-phase.js';
import { completes, finishes, makeRemoteOrchestrator, writes } from '../support/remote-orchestrator.js';

describe('units on hosts (ssh stand-in)', () => {
  it('runs every phase on the unit’s host, sends the daemon’s edits there, and lands the work on base', async () => {
    const o = await makeRemoteOrchestrator({ chunks: ['feat'], hosts: ['h1'] });
    let goalOnHost = '';
    o.backend.script('feat', 'IMPLEMENT', [
      {
        act: (req) => {
          assert.equal(req.host?.name, 'h1');
          assert.ok(req.worktree.startsWith(o.fake.home('h1')), req.worktree);
          assert.ok(req.hostRoot.startsWith(o.fake.home('h1')));
          goalOnHost = readFileSync(join(req.worktree, 'docs/chunks/feat/GOAL.md'), 'utf8');
        },
      },
      writes({ 'src/feat.js': 'export const feat = 1;\n' }),
    ]);
    completes(o.backend, 'feat');
    // REVIEW looks at the setup's trace first: the setup ran on the host once, not once per phase
    let setupRuns = '';
    o.backend.script('feat', 'REVIEW', [
      { act: (req) => (setupRuns = readFileSync(join(req.worktree, '.env'), 'utf8')) },
      { review: { decision: 'APPROVE', summary: 'ok', issues: [] } },
    ]);
    await o.parts.store.patchConfig({ setup_command: 'echo "setup ran in $PWD" >> .env' });
    await o.start();
    await o.services.inject({ chunks: ['feat'], phase: 'IMPLEMENT' });
    const done = await o.waitForUnit('feat', (u) => u.status === 'DONE', 'DONE');
    assert.match(goalOnHost, /status: IMPLEMENTING/, 'the daemon’s uncommitted status edit reached the host');
    assert.equal(setupRuns.trim().split('\n').length, 1, setupRuns);
    assert.match(setupRuns, new RegExp(`setup ran in ${o.fake.home('h1')}/`), 'in the host’s worktree');
    assert.equal(done.host, 'h1');
    assert.equal(done.host_epoch, 1);
    assert.equal(o.repo.git(['show', 'main:src/feat.js']), 'export const feat = 1;');
    assert.match(o.repo.git(['show', 'main:docs/chunks/feat/GOAL.md']), /status: ACTIVE/);
    const runs = await o.parts.store.phaseRuns('feat');
    assert.deepEqual(
      runs.map((r) => [r.phase, r.outcome]),
      [
        ['IMPLEMENT', 'completed'],
        ['REVIEW', 'completed'],
        ['COMPLETE', 'completed'],
      ],
    );
    const hostCopy = join(o.fake.home('h1'), 'w');
    await o.stop(); // waits for the finished unit's copy on the host to be removed
    const left = readdirNames(hostCopy);
    assert.ok(
      left.some((p) => p.endsWith('mirror.git')),
      left.join('\n'),
    );
    assert.equal(
      left.some((p) => p.includes('worktrees/feat') || p.includes('units/feat')),
      false,
      `the host keeps nothing of a finished unit:\n${left.join('\n')}`,
    );
    o.cleanup();
  });

  it('a host lost mid-phase: the unit waits without a failure, then resumes there in the same session with its unfetched work', async () => {
    const o = await makeRemoteOrchestrator({ chunks: ['feat'], hosts: ['h1'] });
    o.backend.script('feat', 'IMPLEMENT', [
      writes({ 'wip.txt': 'half done\n' }, false),
      { act: () => o.fake.down('h1') },
      { fail: { code: 'process_exit', message: 'Claude Code process exited with code 255' } },
    ]);
    let resumed: { wip: string; daemonCopy: boolean } | null = null;
    o.backend.script('feat', 'IMPLEMENT', [
      {
        act: async (req) => {
          const unit = await o.parts.store.get('feat');
          resumed = {
            wip: readFileSync(join(req.worktree, 'wip.txt'), 'utf8'),
            daemonCopy: existsSync(join(unit?.worktree as string, 'wip.txt')),
          };
        },
      },
      writes({ 'src/feat.js': 'x\n' }),
    ]);
    finishes(o.backend, 'feat');
    await o.start();
    await o.services.inject({ chunks: ['feat'], phase: 'IMPLEMENT' });
    const waiting = await o.waitForUnit(
      'feat',
      (u) => u.status === 'READY' && u.fetch_pending,
      'waiting for h1',
    );
    assert.equal(waiting.api_retry_count, 0, 'nothing counts against the agent');
    assert.equal(waiting.attention_kind, null);
    assert.equal(waiting.pending_answer, RESUME_AFTER_HOST_LOSS);
    assert.match((await o.parts.store.history('feat')).at(-1)?.reason ?? '', /waiting for host h1/);
    assert.equal((await o.parts.hostStore.get('h1'))?.health, 'unreachable');
    const [first] = o.backend.runsOf('feat', 'IMPLEMENT');
    assert.equal(o.backend.runsOf('feat', 'IMPLEMENT').length, 1, 'nothing runs while the host is away');

    o.fake.up('h1');
    const done = await o.waitForUnit('feat', (u) => u.status === 'DONE', 'DONE');
    const second = o.backend.runsOf('feat', 'IMPLEMENT')[1];
    assert.equal(second?.request.resumeSessionId, first?.session_id, 'the same session resumed');
    assert.equal(second?.request.operatorAnswer, RESUME_AFTER_HOST_LOSS);
    assert.deepEqual(resumed, { wip: 'half done\n', daemonCopy: true });
    assert.equal(done.host, 'h1');
    assert.equal(done.host_epoch, 1, 'still its first placement');
    assert.equal(o.repo.git(['show', 'main:wip.txt']), 'half done', 'the work from before the cut landed');
    const outcomes = (await o.parts.store.phaseRuns('feat')).map((r) => r.outcome);
    assert.deepEqual(outcomes, ['host_lost', 'completed', 'completed', 'completed']);
    await o.stop();
    o.cleanup();
  });

  it('a host removed for good: its unit restarts elsewhere from the last fetched state, the loss is named, the old copy is swept later', async () => {
    const o = await makeRemoteOrchestrator({ chunks: ['feat'], hosts: ['h1', 'h2'] });
    await o.parts.hosts.drain('h2');
    o.backend.script('feat', 'IMPLEMENT', [writes({ 'kept.txt': 'fetched\n' })]);
    o.backend.script('feat', 'REVIEW', [
      writes({ 'lost.txt': 'never fetched\n' }, false),
      { act: () => o.fake.down('h1') },
      { fail: { code: 'process_exit' } },
    ]);
    let onH2: { kept: boolean; lost: boolean; host: string | undefined; answer: string | null } | null = null;
    o.backend.script('feat', 'REVIEW', [
      {
        act: (req) => {
          onH2 = {
            kept: existsSync(join(req.worktree, 'kept.txt')),
            lost: existsSync(join(req.worktree, 'lost.txt')),
            host: req.host?.name,
            answer: req.operatorAnswer,
          };
        },
      },
      { review: { decision: 'APPROVE', summary: 'ok', issues: [] } },
    ]);
    o.backend.script('feat', 'COMPLETE', [
      writes({ 'docs/chunks/feat/GOAL.md': '---\nstatus: ACTIVE\n---\n# Goal\n' }),
    ]);
    await o.start();
    await o.services.inject({ chunks: ['feat'], phase: 'IMPLEMENT' });
    const waiting = await o.waitForUnit(
      'feat',
      (u) => u.phase === 'REVIEW' && u.status === 'READY' && u.fetch_pending,
      'cut in REVIEW',
    );
    assert.equal(waiting.host, 'h1');

    await o.parts.hosts.activate('h2');
    const removed = await o.parts.hosts.remove('h1', { reassign: true, forget: false });
    assert.equal(removed.forgotten, false);
    assert.match(removed.pending ?? '', /unreachable/);
    assert.equal(removed.reassigned.length, 1);
    const r = removed.reassigned[0];
    assert.equal(r?.chunk, 'feat');
    assert.equal(r?.fetched_now, false);
    assert.match(
      r?.lost ?? '',
      /the REVIEW work on h1 since .*\(not fetched: .*Connection refused\).*session/,
    );
    assert.equal(r?.from_commit, o.repo.git(['rev-parse', 'orch/feat']));

    const done = await o.waitForUnit('feat', (u) => u.status === 'DONE', 'DONE');
    assert.equal(done.host, 'h2');
    assert.equal(done.host_epoch, 2, 'a new placement, a newer lease');
    assert.deepEqual(
      { ...(onH2 ?? {}), answer: undefined },
      { kept: true, lost: false, host: 'h2', answer: undefined },
    );
    assert.match((onH2 as { answer: string } | null)?.answer ?? '', /taken out of the pool/);
    const history = await o.parts.store.history('feat');
    assert.ok(
      history.some((h) => h.event === 'reassign' && /lost: the REVIEW work on h1/.test(h.reason ?? '')),
    );
    assert.equal(o.repo.git(['show', 'main:kept.txt']), 'fetched');

    // h1 answers again: its stale copy is swept and the record forgotten
    const forgotten = o.untilEvent((e) => e.type === 'host_forgotten' && e.name === 'h1', 'h1 forgotten');
    o.fake.up('h1');
    await forgotten;
    assert.equal(existsSync(join(o.fake.home('h1'), 'w')), true, 'only the project folder goes');
    assert.deepEqual(readdirNames(join(o.fake.home('h1'), 'w')), []);
    await o.stop();
    o.cleanup();
  });
  it('a deleted unit’s copy on its host is stopped and removed, not left until the host goes', async () => {
    const o = await makeRemoteOrchestrator({ chunks: ['feat'], hosts: ['h1'] });
    o.backend.script('feat', 'IMPLEMENT', [writes({ 'wip.txt': 'half done\n' }, false), { hang: true }]);
    await o.start();
    await o.services.inject({ chunks: ['feat'], phase: 'IMPLEMENT' });
    await o.waitForUnit('feat', (u) => u.status === 'RUNNING' && u.host === 'h1', 'running on h1');
    await o.backend.whenStarted('feat', 'IMPLEMENT');
    const hostCopy = join(o.fake.home('h1'), 'w');
    const ofFeat = () => readdirNames(hostCopy).filter((p) => /(worktrees|units)\/feat/.test(p));
    assert.notDeepEqual(ofFeat(), [], 'the unit has a copy on h1 while it runs');
    await o.services.deleteUnit('feat', true);
    await o.stop(); // waits for the copy's removal the deletion started
    assert.deepEqual(ofFeat(), [], 'nothing of the deleted unit is left on the host');
    assert.ok(
      readdirNames(hostCopy).some((p) => p.endsWith('mirror.git')),
      'the project’s mirror stays',
    );
    o.cleanup();
  });

  it('a host with no free slot holds its unit; raising its slots starts the unit at once', async () => {
    const o = await makeRemoteOrchestrator({ chunks: ['feat'], hosts: ['h1'], slots: 0 });
    o.backend.script('feat', 'IMPLEMENT', [writes({ 'src/feat.js': 'export const feat = 1;\n' })]);
    finishes(o.backend, 'feat');
    await o.start();
    await o.services.inject({ chunks: ['feat'], phase: 'IMPLEMENT' });
    await o.parts.scheduler.settled();
    const held = await o.services.getUnit('feat');
    assert.deepEqual([held.status, held.host], ['READY', null], 'no host has room: it waits unplaced');
    assert.equal(o.backend.runsOf('feat', 'IMPLEMENT').length, 0);
    const resized = await o.services.setHostSlots('h1', 1);
    assert.deepEqual([resized.slots_total, resized.units], [1, []]);
    // nothing else changes: the host's own change is what wakes the scheduler
    const done = await o.waitForUnit('feat', (u) => u.status === 'DONE', 'DONE');
    assert.equal(done.host, 'h1');
    await o.stop();
    o.cleanup();
  });
});

function readdirNames(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return execLines('find', [dir, '-mindepth', '1', '-maxdepth', '3']).map((p) => p.slice(dir.length + 1));
}

function execLines(cmd: string, args: string[]): string[] {
  return execFileSync(cmd, args, { encoding: 'utf8' }).split('\n').filter(Boolean);
}
