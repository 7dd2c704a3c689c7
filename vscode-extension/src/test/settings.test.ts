import * as assert from 'node:assert/strict';
import * as path from 'node:path';

import { DEFAULT_MAX_FILE_SIZE, SERVER_SETTING_KEYS } from '../common/constants';
import { readLaunchSettings, readServerSettings, withPassword, type SettingsReader } from '../common/settings';
import type { VariableContext } from '../common/variables';

const folder = path.resolve('/work/packs');
const variables: VariableContext = { workspaceFolder: folder, userHome: '/home/me', env: { PACKS: '/srv/packs' } };

/** A reader over settings as they would be in settings.json, keys under `attune.`. */
function reader(values: Record<string, unknown>): SettingsReader {
  return (key) => values[key];
}

function read(values: Record<string, unknown>) {
  const warnings: string[] = [];
  const settings = readServerSettings(reader(values), variables, (message) => warnings.push(message));
  return { settings, warnings };
}

describe('settings -> server options', () => {
  it('gives the defaults when nothing is set, with exactly the server option names', () => {
    const { settings, warnings } = read({});
    assert.deepEqual(settings, { databaseUrl: '', packRoots: [], maxFileSize: DEFAULT_MAX_FILE_SIZE, rules: {}, strict: false });
    assert.deepEqual(Object.keys(settings).sort(), [...SERVER_SETTING_KEYS].sort());
    assert.deepEqual(warnings, []);
  });

  it('maps each attune.* setting onto the option of the same name', () => {
    const { settings, warnings } = read({
      databaseUrl: ' postgresql://attune@db.example:5432/attune ',
      packRoots: ['/abs/packs'],
      maxFileSize: 2048,
      rules: { 'unknown-action': 'error', 'unused-ignore': 'off' },
      strict: true,
      // Client-only settings never reach the server's options.
      'server.path': ['/x/attune-lsp'],
      interpreter: ['/x/python'],
      'trace.server': 'verbose',
    });
    assert.deepEqual(settings, {
      databaseUrl: 'postgresql://attune@db.example:5432/attune',
      packRoots: ['/abs/packs'],
      maxFileSize: 2048,
      rules: { 'unknown-action': 'error', 'unused-ignore': 'off' },
      strict: true,
    });
    assert.deepEqual(warnings, []);
  });

  it('expands variables in pack roots and makes relative ones absolute from the workspace folder', () => {
    const { settings } = read({ packRoots: ['${workspaceFolder}/vendor', 'shared', '~/packs', '${env:PACKS}', '${userHome}/x'] });
    assert.deepEqual(settings.packRoots, [
      `${folder}/vendor`,
      path.resolve(folder, 'shared'),
      '/home/me/packs',
      '/srv/packs',
      '/home/me/x',
    ]);
  });

  it('keeps relative pack roots as written when there is no workspace folder', () => {
    const settings = readServerSettings(reader({ packRoots: ['shared'] }), { userHome: '/h', env: {} }, () => undefined);
    assert.deepEqual(settings.packRoots, ['shared']);
  });

  it('normalizes rule severities and drops the ones it cannot read, with a warning', () => {
    const { settings, warnings } = read({
      rules: { a: 'Warning', b: 'info', c: false, d: 'loud', e: 3 },
    });
    assert.deepEqual(settings.rules, { a: 'warning', b: 'information', c: 'off' });
    assert.equal(warnings.length, 2);
    assert.match(warnings[0] ?? '', /"d" is set to "loud"/);
  });

  it('falls back to defaults for values of the wrong type, with a warning each', () => {
    const { settings, warnings } = read({
      databaseUrl: 42,
      packRoots: 'one/root',
      maxFileSize: -1,
      rules: ['x'],
      strict: 'yes',
    });
    assert.deepEqual(settings, {
      databaseUrl: '',
      packRoots: [path.resolve(folder, 'one/root')],
      maxFileSize: DEFAULT_MAX_FILE_SIZE,
      rules: {},
      strict: false,
    });
    assert.equal(warnings.length, 4);
  });

  it('rejects a fractional maxFileSize', () => {
    const { settings, warnings } = read({ maxFileSize: 10.5 });
    assert.equal(settings.maxFileSize, DEFAULT_MAX_FILE_SIZE);
    assert.equal(warnings.length, 1);
  });

  it('warns, without showing it, when a password was typed into attune.databaseUrl', () => {
    const { settings, warnings } = read({ databaseUrl: 'postgresql://attune:Typed-In-Secret@db/attune' });
    // The URL is still used as written ...
    assert.equal(settings.databaseUrl, 'postgresql://attune:Typed-In-Secret@db/attune');
    // ... but the warning does not repeat the password.
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /contains a password/);
    assert.ok(!warnings.join('\n').includes('Typed-In-Secret'));
  });

  it('adds the stored password to the URL only in a copy', () => {
    const { settings } = read({ databaseUrl: 'postgresql://attune@db/attune' });
    const sent = withPassword(settings, 'pw');
    assert.equal(sent.databaseUrl, 'postgresql://attune:pw@db/attune');
    assert.equal(settings.databaseUrl, 'postgresql://attune@db/attune');
  });
});

describe('launch settings', () => {
  it('reads attune.server.path and attune.interpreter as lists, expanding variables', () => {
    const warnings: string[] = [];
    const launch = readLaunchSettings(
      reader({ 'server.path': ['${workspaceFolder}/.venv/bin/attune-lsp', ''], interpreter: ['~/py/bin/python', '-X', 'utf8'] }),
      variables,
      (message) => warnings.push(message),
    );
    assert.deepEqual(launch, {
      serverPath: [`${folder}/.venv/bin/attune-lsp`],
      interpreter: ['/home/me/py/bin/python', '-X', 'utf8'],
    });
    assert.deepEqual(warnings, []);
  });

  it('takes a plain string as a one-item list and ignores other types', () => {
    const warnings: string[] = [];
    const launch = readLaunchSettings(reader({ 'server.path': '/bin/attune-lsp', interpreter: { a: 1 } }), variables, (m) =>
      warnings.push(m),
    );
    assert.deepEqual(launch, { serverPath: ['/bin/attune-lsp'], interpreter: [] });
    assert.deepEqual(warnings, ['attune.interpreter should be a list of strings; ignored.']);
  });
});
