import * as assert from 'node:assert/strict';

import { describeCommandResult, isFailedResult, wasShownByServer } from '../common/commandResult';
import { statusPresentation } from '../common/status';
import { substituteVariables } from '../common/variables';

describe('substituteVariables', () => {
  const context = { workspaceFolder: '/w', userHome: '/home/me', env: { VENV: '/venvs/a' } };

  it('expands the known variables and a leading ~', () => {
    assert.equal(substituteVariables('${workspaceFolder}/.venv/bin/python', context), '/w/.venv/bin/python');
    assert.equal(substituteVariables('${env:VENV}/bin/python', context), '/venvs/a/bin/python');
    assert.equal(substituteVariables('${userHome}/x', context), '/home/me/x');
    assert.equal(substituteVariables('~/x', context), '/home/me/x');
    assert.equal(substituteVariables('~', context), '/home/me');
  });

  it('leaves what it cannot expand as written', () => {
    assert.equal(substituteVariables('${env:NOPE}/x', context), '${env:NOPE}/x');
    assert.equal(substituteVariables('${workspaceFolder}/x', { userHome: '/h', env: {} }), '${workspaceFolder}/x');
    assert.equal(substituteVariables('/a/~b/${other}', context), '/a/~b/${other}');
  });
});

describe('status bar states', () => {
  it('has a text for each state, and only error is shown as an error', () => {
    assert.match(statusPresentation('starting').text, /sync~spin/);
    assert.match(statusPresentation('running', '/usr/bin/attune-lsp (from PATH)').tooltip, /running\n\/usr\/bin\/attune-lsp/);
    assert.match(statusPresentation('stopped').text, /circle-slash/);
    const error = statusPresentation('error', 'attune-lsp was not found.');
    assert.equal(error.isError, true);
    assert.match(error.tooltip, /Click to show the output/);
    assert.equal(statusPresentation('running').isError, false);
  });
});

describe('command results', () => {
  it("shows the server's message, or says it is done", () => {
    assert.equal(describeCommandResult('Register Workflow', 'Registered core.deploy'), 'Registered core.deploy');
    assert.equal(describeCommandResult('Register Workflow', { message: ' 3 actions registered ' }), '3 actions registered');
    assert.equal(describeCommandResult('Register Pack', null), 'Register Pack: done.');
    assert.equal(describeCommandResult('Register Pack', { ok: true }), 'Register Pack: done.');
  });

  it('leaves results the server already showed alone', () => {
    assert.equal(wasShownByServer({ shown: true, message: 'x' }), true);
    assert.equal(wasShownByServer({ message: 'x' }), false);
    assert.equal(wasShownByServer('shown'), false);
    assert.equal(wasShownByServer(null), false);
  });

  it('recognizes a failure the server reports in its result', () => {
    assert.equal(isFailedResult({ ok: false, message: 'x' }), true);
    assert.equal(isFailedResult({ success: false }), true);
    assert.equal(isFailedResult({ ok: true }), false);
    assert.equal(isFailedResult('text'), false);
  });
});
