import * as assert from 'node:assert/strict';

import {
  describeLaunch,
  findOnPath,
  needsShell,
  notFoundMessage,
  probeArguments,
  resolveServer,
  spawnCommand,
  type InterpreterProbe,
  type Resolution,
  type ResolverEnvironment,
} from '../common/serverResolution';
import type { LaunchSettings } from '../common/settings';

interface FakeOptions {
  files?: string[];
  interpreters?: Record<string, InterpreterProbe>;
  pythonExtension?: string[] | undefined;
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
}

/** A resolver environment over a made-up file system, recording what was asked. */
function fakeEnvironment(options: FakeOptions = {}) {
  const calls: string[] = [];
  const files = new Set(options.files ?? []);
  const environment: ResolverEnvironment = {
    platform: options.platform ?? 'linux',
    env: options.env ?? { PATH: '/usr/local/bin:/usr/bin' },
    isExecutableFile: (file) => {
      calls.push(`stat ${file}`);
      return Promise.resolve(files.has(file));
    },
    probeInterpreter: (interpreter) => {
      calls.push(`probe ${interpreter.join(' ')}`);
      return Promise.resolve(options.interpreters?.[interpreter[0] ?? ''] ?? 'notRunnable');
    },
    pythonExtensionInterpreter: () => {
      calls.push('python extension');
      return Promise.resolve(options.pythonExtension);
    },
  };
  return { environment, calls };
}

const noSettings: LaunchSettings = { serverPath: [], interpreter: [] };

function found(resolution: Resolution) {
  assert.equal(resolution.kind, 'found', `expected a server, got notes: ${resolution.notes.join(' | ')}`);
  return resolution.kind === 'found' ? resolution.launch : assert.fail();
}

describe('resolveServer: the order the server is looked for in', () => {
  const everything: FakeOptions = {
    files: ['/opt/attune/bin/attune-lsp', '/usr/bin/attune-lsp'],
    interpreters: { '/venv/bin/python': 'ok', '/selected/python': 'ok' },
    pythonExtension: ['/selected/python'],
  };

  it('1. attune.server.path wins over everything, run with no arguments', async () => {
    const { environment, calls } = fakeEnvironment(everything);
    const launch = found(
      await resolveServer({ serverPath: ['/opt/attune/bin/attune-lsp'], interpreter: ['/venv/bin/python'] }, environment),
    );
    assert.deepEqual(launch, { command: '/opt/attune/bin/attune-lsp', args: [], source: 'serverPath' });
    // Nothing further was looked at: no interpreter was run, the Python extension was not asked.
    assert.deepEqual(calls, ['stat /opt/attune/bin/attune-lsp']);
  });

  it('1. uses the first attune.server.path entry that exists, noting the others', async () => {
    const { environment } = fakeEnvironment(everything);
    const resolution = await resolveServer(
      { serverPath: ['/missing/attune-lsp', '/opt/attune/bin/attune-lsp', '/usr/bin/attune-lsp'], interpreter: [] },
      environment,
    );
    assert.equal(found(resolution).command, '/opt/attune/bin/attune-lsp');
    assert.deepEqual(resolution.notes, ['attune.server.path: /missing/attune-lsp is not an executable file.']);
  });

  it('1. looks a bare name in attune.server.path up on PATH', async () => {
    const { environment } = fakeEnvironment({ files: ['/usr/bin/my-attune'] });
    const launch = found(await resolveServer({ serverPath: ['my-attune'], interpreter: [] }, environment));
    assert.deepEqual(launch, { command: '/usr/bin/my-attune', args: [], source: 'serverPath' });
  });

  it('2. attune.interpreter comes next: <interpreter> -m attune_lsp', async () => {
    const { environment, calls } = fakeEnvironment(everything);
    const resolution = await resolveServer(
      { serverPath: ['/missing/attune-lsp'], interpreter: ['/venv/bin/python'] },
      environment,
    );
    assert.deepEqual(found(resolution), { command: '/venv/bin/python', args: ['-m', 'attune_lsp'], source: 'interpreter' });
    assert.ok(!calls.includes('python extension'));
  });

  it('2. puts the extra items of attune.interpreter before -m', async () => {
    const { environment } = fakeEnvironment({ interpreters: { '/venv/bin/python': 'ok' } });
    const launch = found(await resolveServer({ serverPath: [], interpreter: ['/venv/bin/python', '-X', 'utf8'] }, environment));
    assert.deepEqual(launch.args, ['-X', 'utf8', '-m', 'attune_lsp']);
  });

  it('3. then the interpreter selected in the Python extension', async () => {
    const { environment } = fakeEnvironment(everything);
    const launch = found(await resolveServer(noSettings, environment));
    assert.deepEqual(launch, { command: '/selected/python', args: ['-m', 'attune_lsp'], source: 'pythonExtension' });
  });

  it('3. skips the Python extension interpreter when attune_lsp is not installed in it', async () => {
    const { environment } = fakeEnvironment({ ...everything, interpreters: { '/selected/python': 'missingModule' } });
    const resolution = await resolveServer(noSettings, environment);
    assert.deepEqual(found(resolution), { command: '/usr/bin/attune-lsp', args: [], source: 'path' });
    assert.match(resolution.notes.join('\n'), /attune_lsp is not installed in \/selected\/python/);
  });

  it('4. then attune-lsp on PATH, in PATH order', async () => {
    const { environment } = fakeEnvironment({
      files: ['/usr/local/bin/attune-lsp', '/usr/bin/attune-lsp'],
      pythonExtension: undefined,
    });
    const launch = found(await resolveServer(noSettings, environment));
    assert.deepEqual(launch, { command: '/usr/local/bin/attune-lsp', args: [], source: 'path' });
  });

  it('falls through a broken attune.interpreter to the next places, and says why', async () => {
    const { environment } = fakeEnvironment({
      files: ['/usr/bin/attune-lsp'],
      interpreters: { '/venv/bin/python': 'missingModule' },
    });
    const resolution = await resolveServer({ serverPath: [], interpreter: ['/venv/bin/python'] }, environment);
    assert.equal(found(resolution).source, 'path');
    assert.deepEqual(resolution.notes, ['attune.interpreter: attune_lsp is not installed in /venv/bin/python.']);
  });

  it('reports what was tried when nothing is found', async () => {
    const { environment } = fakeEnvironment({ interpreters: {}, pythonExtension: ['/selected/python'] });
    const resolution = await resolveServer(
      { serverPath: ['/missing/attune-lsp'], interpreter: ['/no/python'] },
      environment,
    );
    assert.equal(resolution.kind, 'notFound');
    assert.deepEqual(resolution.notes, [
      'attune.server.path: /missing/attune-lsp is not an executable file.',
      'attune.interpreter: /no/python could not be run.',
      "the Python extension's interpreter: /selected/python could not be run.",
      'PATH: no attune-lsp executable found.',
    ]);
  });

  it('names the fix in the not-found message', async () => {
    const { environment } = fakeEnvironment();
    const resolution = await resolveServer(noSettings, environment);
    assert.equal(resolution.kind, 'notFound');
    if (resolution.kind !== 'notFound') {
      return;
    }
    const message = notFoundMessage(resolution);
    assert.match(message, /pip install attune-lsp/);
    assert.match(message, /attune\.server\.path/);
    assert.match(message, /attune\.interpreter/);
  });

  it('suggests installing into the interpreter that lacks the module', async () => {
    const { environment } = fakeEnvironment({ interpreters: { '/venv/bin/python': 'missingModule' } });
    const resolution = await resolveServer({ serverPath: [], interpreter: ['/venv/bin/python'] }, environment);
    assert.equal(resolution.kind, 'notFound');
    if (resolution.kind === 'notFound') {
      assert.match(notFoundMessage(resolution), /\(\/venv\/bin\/python -m pip install attune-lsp\)/);
    }
  });

  it('describes a launch for the log', () => {
    assert.equal(
      describeLaunch({ command: '/venv/bin/python', args: ['-m', 'attune_lsp'], source: 'interpreter' }),
      '/venv/bin/python -m attune_lsp (from attune.interpreter)',
    );
  });
});

describe('findOnPath', () => {
  it('skips empty and relative PATH entries', async () => {
    const { environment, calls } = fakeEnvironment({
      files: ['./attune-lsp', 'bin/attune-lsp', '/usr/bin/attune-lsp'],
      env: { PATH: ':.:bin:/usr/bin' },
    });
    assert.equal(await findOnPath('attune-lsp', environment), '/usr/bin/attune-lsp');
    assert.deepEqual(calls, ['stat /usr/bin/attune-lsp']);
  });

  it('returns undefined without PATH', async () => {
    const { environment } = fakeEnvironment({ env: {} });
    assert.equal(await findOnPath('attune-lsp', environment), undefined);
  });

  it('tries each PATHEXT extension on Windows, with a case-insensitive Path variable', async () => {
    const { environment, calls } = fakeEnvironment({
      platform: 'win32',
      files: ['C:\\Python312\\Scripts\\attune-lsp.exe'],
      env: { Path: 'C:\\Windows;"C:\\Python312\\Scripts"', PathExt: '.COM;.EXE;.BAT' },
    });
    assert.equal(await findOnPath('attune-lsp', environment), 'C:\\Python312\\Scripts\\attune-lsp.exe');
    assert.deepEqual(calls, [
      'stat C:\\Windows\\attune-lsp.com',
      'stat C:\\Windows\\attune-lsp.exe',
      'stat C:\\Windows\\attune-lsp.bat',
      'stat C:\\Python312\\Scripts\\attune-lsp.com',
      'stat C:\\Python312\\Scripts\\attune-lsp.exe',
    ]);
  });

  it('uses the default PATHEXT on Windows and keeps a name that has an extension', async () => {
    const { environment } = fakeEnvironment({
      platform: 'win32',
      files: ['C:\\tools\\attune-lsp.cmd', 'C:\\tools\\server.exe'],
      env: { PATH: 'C:\\tools' },
    });
    assert.equal(await findOnPath('attune-lsp', environment), 'C:\\tools\\attune-lsp.cmd');
    assert.equal(await findOnPath('server.exe', environment), 'C:\\tools\\server.exe');
  });

  it('finds a Windows server.path entry through PATH too', async () => {
    const { environment } = fakeEnvironment({
      platform: 'win32',
      files: ['C:\\tools\\attune-lsp.exe'],
      env: { PATH: 'C:\\tools' },
    });
    const resolution = await resolveServer({ serverPath: ['C:\\missing\\attune-lsp.exe', 'attune-lsp'], interpreter: [] }, environment);
    assert.equal(found(resolution).command, 'C:\\tools\\attune-lsp.exe');
  });
});

describe('starting processes', () => {
  it('probes an interpreter with -c after its extra arguments', () => {
    const { command, args } = probeArguments(['py', '-3.12']);
    assert.equal(command, 'py');
    assert.deepEqual(args.slice(0, 2), ['-3.12', '-c']);
    assert.match(args[2] ?? '', /find_spec\('attune_lsp'\)/);
  });

  it('needs a shell only for .bat and .cmd on Windows', () => {
    assert.equal(needsShell('C:\\x\\attune-lsp.cmd', 'win32'), true);
    assert.equal(needsShell('C:\\x\\attune-lsp.exe', 'win32'), false);
    assert.equal(needsShell('/usr/bin/attune-lsp.cmd', 'linux'), false);
  });

  it('quotes for cmd.exe what a shell would split', () => {
    assert.deepEqual(spawnCommand('C:\\Program Files\\a\\python.bat', ['-c', 'print(1)'], 'win32'), {
      command: '"C:\\Program Files\\a\\python.bat"',
      args: ['-c', '"print(1)"'],
      shell: true,
    });
    assert.deepEqual(spawnCommand('/usr/bin/python3', ['-m', 'attune_lsp'], 'linux'), {
      command: '/usr/bin/python3',
      args: ['-m', 'attune_lsp'],
      shell: false,
    });
  });
});
