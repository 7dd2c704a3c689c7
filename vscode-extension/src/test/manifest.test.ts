/**
 * package.json against the code: the contributed commands, settings and
 * menus are what the extension registers and reads.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import {
  CLIENT_COMMANDS,
  COMMAND_TITLES,
  DEFAULT_MAX_FILE_SIZE,
  DOCUMENT_PATTERNS,
  documentSelector,
  SECTION,
  SERVER_COMMAND_IDS,
  SERVER_SETTING_KEYS,
} from '../common/constants';

interface Manifest {
  name: string;
  publisher: string;
  license: string;
  main: string;
  repository?: unknown;
  engines: { vscode: string };
  activationEvents: string[];
  devDependencies: Record<string, string>;
  dependencies: Record<string, string>;
  scripts: Record<string, string>;
  contributes: {
    languages?: unknown;
    configurationDefaults?: unknown;
    commands: { command: string; title: string; category: string }[];
    configuration: { properties: Record<string, { type: string; default: unknown; scope: string; markdownDescription?: string; description?: string }> };
    menus: Record<string, { command: string; when?: string; group?: string }[]>;
  };
}

const root = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;

describe('package.json', () => {
  it('contributes exactly the extension commands, in the Attune category', () => {
    const ids = manifest.contributes.commands.map((command) => command.command).sort();
    assert.deepEqual(ids, [...SERVER_COMMAND_IDS, ...Object.values(CLIENT_COMMANDS)].sort());
    for (const command of manifest.contributes.commands) {
      assert.equal(command.category, 'Attune');
      assert.equal(command.title, COMMAND_TITLES[command.command]);
    }
  });

  it('activates on packs, on YAML and on its commands', () => {
    const commandEvents = manifest.contributes.commands.map((command) => `onCommand:${command.command}`);
    assert.deepEqual(manifest.activationEvents.sort(), [
      'onLanguage:yaml',
      'workspaceContains:**/actions/workflows/*.yaml',
      'workspaceContains:**/pack.yaml',
      ...commandEvents,
    ].sort());
  });

  it('leaves the yaml language and formatting to other extensions', () => {
    assert.equal(manifest.contributes.languages, undefined);
    assert.equal(manifest.contributes.configurationDefaults, undefined);
    assert.deepEqual(DOCUMENT_PATTERNS, ['**/actions/**/*.{yaml,yml}', '**/*.workflow.{yaml,yml}', '**/pack.yaml']);
  });

  it('attaches to the workflows folder of packs only, never to any workflows folder', () => {
    const patterns = documentSelector(['/w/packs/core', 'C:\\w\\packs\\ops\\']).map((filter) => filter.pattern);
    assert.ok(!patterns.some((pattern) => pattern.includes('**/workflows/')), patterns.join(' '));
    assert.ok(patterns.includes('/w/packs/core/workflows/**/*.{yaml,yml}'));
    assert.ok(patterns.includes('C:/w/packs/ops/workflows/**/*.{yaml,yml}'));
    assert.ok(documentSelector([]).every((filter) => filter.language === 'yaml' && filter.scheme === 'file'));
  });

  it('has one setting per server option, plus the client settings, each with a scope and a description', () => {
    const properties = manifest.contributes.configuration.properties;
    assert.deepEqual(
      Object.keys(properties).sort(),
      [...SERVER_SETTING_KEYS.map((key) => `${SECTION}.${key}`), 'attune.server.path', 'attune.interpreter', 'attune.trace.server'].sort(),
    );
    const validScopes = ['application', 'machine', 'machine-overridable', 'window', 'resource', 'language-overridable'];
    for (const [key, property] of Object.entries(properties)) {
      assert.ok(validScopes.includes(property.scope), `${key} scope`);
      assert.ok((property.markdownDescription ?? property.description ?? '').length > 40, `${key} description`);
    }
    assert.equal(properties['attune.databaseUrl']?.default, '');
    assert.deepEqual(properties['attune.packRoots']?.default, []);
    assert.equal(properties['attune.maxFileSize']?.default, DEFAULT_MAX_FILE_SIZE);
    assert.equal(properties['attune.maxFileSize']?.type, 'integer');
    assert.deepEqual(properties['attune.rules']?.default, {});
    assert.equal(properties['attune.strict']?.default, false);
    assert.deepEqual(properties['attune.server.path']?.default, []);
    assert.equal(properties['attune.server.path']?.type, 'array');
    assert.deepEqual(properties['attune.interpreter']?.default, []);
    assert.equal(properties['attune.trace.server']?.default, 'off');
  });

  it('only references contributed commands in its menus', () => {
    const ids = new Set(manifest.contributes.commands.map((command) => command.command));
    for (const [menu, items] of Object.entries(manifest.contributes.menus)) {
      for (const item of items) {
        assert.ok(ids.has(item.command), `${menu}: ${item.command}`);
      }
    }
    const explorer = manifest.contributes.menus['explorer/context'] ?? [];
    assert.ok(explorer.some((item) => item.command === 'attune.registerPack' && item.when?.includes('explorerResourceIsFolder')));
  });

  function menuRegex(menu: string, command: string): RegExp {
    const when = manifest.contributes.menus[menu]?.find((item) => item.command === command)?.when ?? '';
    const literal = /resourcePath =~ \/(.*)\/$/.exec(when)?.[1];
    assert.ok(literal, `${menu} ${command}: ${when}`);
    return new RegExp(literal);
  }

  const workflowFiles = [
    '/w/packs/core/actions/workflows/deploy.yaml',
    '/w/packs/core/actions/echo.yml',
    '/w/packs/core/workflows/x.yaml',
    'C:\\w\\packs\\core\\actions\\workflows\\deploy.yaml',
  ];
  const otherFiles = ['/w/docker-compose.yaml', '/w/actions/readme.md', '/w/mypack.yaml', '/w/factions/x.yaml'];

  it('shows the workflow commands for workflow and action YAML files only', () => {
    const regex = menuRegex('editor/context', 'attune.register');
    for (const file of workflowFiles) {
      assert.ok(regex.test(file), file);
    }
    for (const file of [...otherFiles, '/w/packs/core/pack.yaml']) {
      assert.ok(!regex.test(file), file);
    }
  });

  it('shows Register Pack for any YAML file of a pack, pack.yaml included', () => {
    const regex = menuRegex('editor/context', 'attune.registerPack');
    for (const file of [...workflowFiles, '/w/packs/core/pack.yaml', 'C:\\w\\packs\\core\\pack.yaml']) {
      assert.ok(regex.test(file), file);
    }
    for (const file of otherFiles) {
      assert.ok(!regex.test(file), file);
    }
  });

  it('can be packaged: publisher, license, repository, bundle entry and matching VS Code types', () => {
    assert.equal(manifest.publisher, 'attune-lsp');
    assert.equal(manifest.license, 'Apache-2.0');
    assert.ok(manifest.repository);
    assert.equal(manifest.main, './dist/extension.js');
    const types = manifest.devDependencies['@types/vscode'] ?? '';
    assert.equal(manifest.engines.vscode, `^${types}`);
    assert.match(manifest.dependencies['vscode-languageclient'] ?? '', /^11\./);
    for (const script of ['build', 'typecheck', 'lint', 'test', 'package', 'check']) {
      assert.ok(manifest.scripts[script], script);
    }
  });
});
