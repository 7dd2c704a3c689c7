import * as assert from 'node:assert/strict';

import type { RegistrationParams } from 'vscode-languageclient';

import { SERVER_COMMAND_IDS } from '../common/constants';
import {
  answerConfiguration,
  filterCommandRegistrations,
  registeredCommands,
  withoutOwnedCommands,
} from '../common/serverCommands';
import type { ServerSettings } from '../common/settings';

const advertised = ['attune.register', 'attune.registerDryRun', 'attune.unregister', 'attune.registerPack', 'attune.explain'];

describe('server commands the extension registers itself', () => {
  it('are taken out of the executeCommandProvider, other commands kept', () => {
    const provider = { commands: [...advertised], workDoneProgress: true };
    const filtered = withoutOwnedCommands(provider, SERVER_COMMAND_IDS);
    assert.deepEqual(filtered, { commands: ['attune.explain'], workDoneProgress: true });
    // The server's own list is left whole (initializeResult still shows it).
    assert.deepEqual(provider.commands, advertised);
  });

  it('leave a missing provider missing', () => {
    assert.equal(withoutOwnedCommands(undefined, SERVER_COMMAND_IDS), undefined);
  });

  it('are taken out of dynamic workspace/executeCommand registrations only', () => {
    const params: RegistrationParams = {
      registrations: [
        { id: '1', method: 'workspace/executeCommand', registerOptions: { commands: [...advertised] } },
        { id: '2', method: 'workspace/didChangeWatchedFiles', registerOptions: { watchers: [] } },
      ],
    };
    assert.deepEqual(registeredCommands(params), advertised);
    const filtered = filterCommandRegistrations(params, SERVER_COMMAND_IDS);
    assert.deepEqual(filtered.registrations, [
      { id: '1', method: 'workspace/executeCommand', registerOptions: { commands: ['attune.explain'] } },
      { id: '2', method: 'workspace/didChangeWatchedFiles', registerOptions: { watchers: [] } },
    ]);
  });
});

describe('workspace/configuration answers', () => {
  const settings: ServerSettings = {
    databaseUrl: 'postgresql://u:pw@h/d',
    packRoots: ['/p'],
    maxFileSize: 10,
    rules: { 'unknown-action': 'off' },
    strict: true,
  };

  it('gives the attune section the settings with the password, per scope', async () => {
    const scopes: (string | undefined)[] = [];
    const answers = await answerConfiguration(
      [{ section: 'attune', scopeUri: 'file:///w/a' }, { section: 'attune' }],
      [{ databaseUrl: 'postgresql://u@h/d', server: { path: [] } }, null],
      (scopeUri) => {
        scopes.push(scopeUri);
        return Promise.resolve(settings);
      },
    );
    assert.deepEqual(answers, [settings, settings]);
    assert.deepEqual(scopes, ['file:///w/a', undefined]);
  });

  it('answers a single server setting, and leaves everything else to VS Code', async () => {
    const answers = await answerConfiguration(
      [
        { section: 'attune.databaseUrl' },
        { section: 'attune.packRoots' },
        { section: 'attune.trace.server' },
        { section: 'yaml' },
        {},
      ],
      ['postgresql://u@h/d', ['/from-vscode'], 'off', { validate: true }, { everything: 1 }],
      () => Promise.resolve(settings),
    );
    assert.deepEqual(answers, ['postgresql://u:pw@h/d', ['/p'], 'off', { validate: true }, { everything: 1 }]);
  });
});
