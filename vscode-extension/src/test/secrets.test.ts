import * as assert from 'node:assert/strict';

import { createMaskedChannel, maskSecrets } from '../common/mask';
import { PasswordStore, type SecretStore } from '../common/passwords';
import { resolveServerSettings } from '../common/serverSettings';
import type { SettingsReader } from '../common/settings';

const PASSWORD = 'S3cr3t p@ss/"word"%';

class MapSecrets implements SecretStore {
  readonly values = new Map<string, string>();
  get(key: string) {
    return Promise.resolve(this.values.get(key));
  }
  store(key: string, value: string) {
    this.values.set(key, value);
    return Promise.resolve();
  }
  delete(key: string) {
    this.values.delete(key);
    return Promise.resolve();
  }
}

/** Everything a log channel can be given; records what reached it. */
class RecordingChannel {
  readonly lines: string[] = [];
  readonly name = 'recording';
  logLevel = 3;
  append(value: string) {
    this.lines.push(value);
  }
  appendLine(value: string) {
    this.lines.push(value);
  }
  replace(value: string) {
    this.lines.push(value);
  }
  trace(message: string, ...args: unknown[]) {
    this.lines.push([message, ...args.map(String)].join(' '));
  }
  debug(message: string) {
    this.lines.push(message);
  }
  info(message: string) {
    this.lines.push(message);
  }
  warn(message: string) {
    this.lines.push(message);
  }
  error(error: string | Error) {
    this.lines.push(typeof error === 'string' ? error : `${error.message}\n${error.stack ?? ''}`);
  }
  show() {
    this.lines.push('<shown>');
  }
  get text() {
    return this.lines.join('\n');
  }
}

function settingsReader(values: Record<string, unknown>): SettingsReader {
  return (key) => values[key];
}

const variables = { workspaceFolder: '/w', userHome: '/h', env: {} };

describe('the database password', () => {
  it('is stored per user and host, and read back for the same server only', async () => {
    const secrets = new MapSecrets();
    const store = new PasswordStore(secrets);
    assert.equal(await store.set('postgresql://attune@db:5432/attune', PASSWORD), true);
    assert.deepEqual([...secrets.values.keys()], ['attune.databasePassword/attune@db:5432']);
    assert.equal(await store.get('postgresql://attune@db:5432/other'), PASSWORD);
    assert.equal(await store.get('postgresql://attune@elsewhere:5432/attune'), undefined);
    assert.equal(await store.set('host=db', PASSWORD), false);
  });

  it('is cleared for the URL it was stored for', async () => {
    const store = new PasswordStore(new MapSecrets());
    await store.set('postgresql://attune@db/attune', PASSWORD);
    assert.equal(await store.clear('postgresql://attune@db/attune'), true);
    assert.equal(await store.get('postgresql://attune@db/attune'), undefined);
    assert.equal(await store.clear('postgresql://attune@db/attune'), false);
  });

  it('is sent to the server inside databaseUrl, and nowhere else', async () => {
    const store = new PasswordStore(new MapSecrets());
    await store.set('postgresql://attune@db:5432/attune', PASSWORD);
    const warnings: string[] = [];
    const resolved = await resolveServerSettings(
      settingsReader({ databaseUrl: 'postgresql://attune@db:5432/attune', packRoots: ['p'] }),
      variables,
      store,
      (message) => warnings.push(message),
    );
    assert.equal(
      resolved.settings.databaseUrl,
      `postgresql://attune:${encodeURIComponent(PASSWORD)}@db:5432/attune`,
    );
    const { databaseUrl: _url, ...others } = resolved.settings;
    assert.ok(!JSON.stringify(others).includes(encodeURIComponent(PASSWORD)));
    // What is logged: the description and the warnings.
    assert.ok(!resolved.description.includes(PASSWORD) && !resolved.description.includes(encodeURIComponent(PASSWORD)));
    assert.match(resolved.description, /"databaseUrl":"postgresql:\/\/attune@db:5432\/attune"/);
    assert.deepEqual(warnings, []);
  });

  it('is not added when none is stored', async () => {
    const resolved = await resolveServerSettings(
      settingsReader({ databaseUrl: 'postgresql://attune@db/attune' }),
      variables,
      new PasswordStore(new MapSecrets()),
      () => undefined,
    );
    assert.equal(resolved.settings.databaseUrl, 'postgresql://attune@db/attune');
  });

  it('does not replace a password written in the URL, nor show that one in the log', async () => {
    const store = new PasswordStore(new MapSecrets());
    await store.set('postgresql://attune@db/attune', PASSWORD);
    const warnings: string[] = [];
    const resolved = await resolveServerSettings(
      settingsReader({ databaseUrl: 'postgresql://attune:typed@db/attune' }),
      variables,
      store,
      (message) => warnings.push(message),
    );
    assert.equal(resolved.settings.databaseUrl, 'postgresql://attune:typed@db/attune');
    assert.ok(!resolved.description.includes('typed'));
    assert.ok(!warnings.join('\n').includes('typed'));
  });
});

describe('masking log lines', () => {
  it('masks the raw, percent-encoded and JSON-escaped forms of a secret', () => {
    const line = [
      PASSWORD,
      encodeURIComponent(PASSWORD),
      JSON.stringify({ databaseUrl: `postgresql://u:${PASSWORD}@h/d` }),
      JSON.stringify({ initializationOptions: { databaseUrl: `postgresql://u:${encodeURIComponent(PASSWORD)}@h/d` } }),
    ].join(' | ');
    const masked = maskSecrets(line, [PASSWORD]);
    assert.ok(!masked.includes(PASSWORD), masked);
    assert.ok(!masked.includes(encodeURIComponent(PASSWORD)), masked);
    assert.ok(!masked.includes(JSON.stringify(PASSWORD).slice(1, -1)), masked);
    assert.match(masked, /\*{8}/);
  });

  it('masks passwords in any URL and any password= parameter, known or not', () => {
    assert.equal(
      maskSecrets('connecting to postgresql://attune:unknown@db:5432/attune failed', []),
      'connecting to postgresql://attune:********@db:5432/attune failed',
    );
    assert.equal(maskSecrets('dsn: host=db password=hunter2 user=a', []), 'dsn: host=db password=******** user=a');
    assert.equal(maskSecrets("password='two words'", []), 'password=********');
    assert.equal(maskSecrets('?sslmode=require&password=x1&y=2', []), '?sslmode=require&password=********&y=2');
  });

  it('leaves lines without secrets as they are', () => {
    const line = 'Starting the language server: /usr/bin/attune-lsp (from PATH) at http://localhost:8080/x';
    assert.equal(maskSecrets(line, [PASSWORD]), line);
  });

  it('masks everything written through a wrapped channel', async () => {
    const store = new PasswordStore(new MapSecrets());
    const target = new RecordingChannel();
    const channel = createMaskedChannel(target, () => store.secretsToMask());
    // Stored after the channel was made: the channel reads the current secrets at each write.
    await store.set('postgresql://u@h/d', PASSWORD);
    const url = `postgresql://u:${encodeURIComponent(PASSWORD)}@h/d`;
    channel.append(url);
    channel.appendLine(PASSWORD);
    channel.replace(`x ${PASSWORD} y`);
    channel.trace(`[Trace] Sending request 'initialize'. Params: ${JSON.stringify({ initializationOptions: { databaseUrl: url } }, null, 4)}`);
    channel.debug(PASSWORD);
    channel.info(`Settings: ${url}`);
    channel.warn(PASSWORD);
    channel.error(PASSWORD);
    channel.error(new Error(`could not connect to ${url}`));
    assert.equal(target.lines.length, 9);
    assert.ok(!target.text.includes(PASSWORD), target.text);
    assert.ok(!target.text.includes(encodeURIComponent(PASSWORD)), target.text);
    assert.ok(target.text.includes('postgresql://u:********@h/d'));
  });

  it('passes everything else through to the wrapped channel', () => {
    const target = new RecordingChannel();
    const channel = createMaskedChannel(target, () => [PASSWORD]);
    assert.equal(channel.name, 'recording');
    assert.equal(channel.logLevel, 3);
    target.logLevel = 1;
    assert.equal(channel.logLevel, 1);
    channel.show();
    assert.deepEqual(target.lines, ['<shown>']);
  });

  it('keeps the text of a masked error and its type', () => {
    const target = new RecordingChannel();
    const channel = createMaskedChannel(target, () => [PASSWORD]);
    const error = new TypeError(`bad ${PASSWORD}`);
    channel.error(error);
    assert.match(target.text, /^bad \*{8}\nTypeError: bad \*{8}/);
  });
});
