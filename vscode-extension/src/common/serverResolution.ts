/**
 * Where the language server comes from. In order, the first that works wins:
 *
 * 1. `attune.server.path`: the first listed executable that exists, run with no arguments;
 * 2. `attune.interpreter`: `<interpreter> -m attune_lsp`;
 * 3. the interpreter selected in the Python extension, when it is installed
 *    and `attune_lsp` can be imported there;
 * 4. `attune-lsp` on PATH.
 *
 * Everything that was tried and did not work is kept as a note, so the log and
 * the error shown to the user say why. The file system, the Python extension
 * and process spawning come in as functions, which keeps this testable.
 */

import * as path from 'node:path';

import { SECTION, SERVER_EXECUTABLE, SERVER_MODULE, SERVER_PACKAGE } from './constants';
import type { LaunchSettings } from './settings';

export type LaunchSource = 'serverPath' | 'interpreter' | 'pythonExtension' | 'path';

export interface ServerLaunch {
  command: string;
  args: string[];
  source: LaunchSource;
}

/** What running `<interpreter> -c "find attune_lsp"` said. */
export type InterpreterProbe = 'ok' | 'missingModule' | 'notRunnable';

export type Resolution =
  | { kind: 'found'; launch: ServerLaunch; notes: string[] }
  | {
      kind: 'notFound';
      notes: string[];
      /** Interpreters that ran but lack the `attune_lsp` module: where `pip install` would fix it. */
      interpretersWithoutModule: string[][];
    };

export interface ResolverEnvironment {
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  /** True when the path is a file this process may execute. */
  isExecutableFile(file: string): Promise<boolean>;
  probeInterpreter(interpreter: readonly string[]): Promise<InterpreterProbe>;
  /**
   * The interpreter selected in the Python extension; undefined when the
   * extension is not installed, has no interpreter selected, or may not be
   * used (untrusted workspace).
   */
  pythonExtensionInterpreter(): Promise<string[] | undefined>;
}

export function sourceLabel(source: LaunchSource): string {
  switch (source) {
    case 'serverPath':
      return `${SECTION}.server.path`;
    case 'interpreter':
      return `${SECTION}.interpreter`;
    case 'pythonExtension':
      return 'the Python extension\'s interpreter';
    case 'path':
      return 'PATH';
  }
}

export function describeLaunch(launch: ServerLaunch): string {
  return `${[launch.command, ...launch.args].join(' ')} (from ${sourceLabel(launch.source)})`;
}

function pathModule(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

/** Environment variables are case-insensitive on Windows (`Path`, `PATHEXT`). */
function envValue(env: ResolverEnvironment['env'], name: string, platform: NodeJS.Platform): string | undefined {
  if (platform !== 'win32') {
    return env[name];
  }
  const key = Object.keys(env).find((candidate) => candidate.toUpperCase() === name);
  return key === undefined ? undefined : env[key];
}

/**
 * The full path of `name` found in the PATH directories, trying each PATHEXT
 * extension on Windows. Relative PATH entries (`.`, empty) are skipped: they
 * would resolve against the editor's working directory, or the workspace.
 */
export async function findOnPath(
  name: string,
  environment: Pick<ResolverEnvironment, 'platform' | 'env' | 'isExecutableFile'>,
): Promise<string | undefined> {
  const { platform, env } = environment;
  const p = pathModule(platform);
  const dirs = (envValue(env, 'PATH', platform) ?? '')
    .split(p.delimiter)
    .map((dir) => (platform === 'win32' ? dir.trim().replace(/^"(.*)"$/, '$1') : dir))
    .filter((dir) => dir !== '' && p.isAbsolute(dir));
  let names = [name];
  if (platform === 'win32') {
    const extensions = (envValue(env, 'PATHEXT', platform) ?? '.COM;.EXE;.BAT;.CMD')
      .split(';')
      .map((ext) => ext.trim())
      .filter((ext) => ext !== '');
    const hasExtension = extensions.some((ext) => name.toUpperCase().endsWith(ext.toUpperCase()));
    names = hasExtension ? [name] : extensions.map((ext) => name + ext.toLowerCase());
  }
  for (const dir of dirs) {
    for (const candidate of names) {
      const full = p.join(dir, candidate);
      if (await environment.isExecutableFile(full)) {
        return full;
      }
    }
  }
  return undefined;
}

function hasDirectory(value: string, platform: NodeJS.Platform): boolean {
  return platform === 'win32' ? /[\\/]/.test(value) : value.includes('/');
}

function interpreterLaunch(interpreter: readonly string[], source: LaunchSource): ServerLaunch {
  const [command = '', ...extra] = interpreter;
  return { command, args: [...extra, '-m', SERVER_MODULE], source };
}

function showCommand(parts: readonly string[]): string {
  return parts.map((part) => (/\s/.test(part) ? `"${part}"` : part)).join(' ');
}

export async function resolveServer(settings: LaunchSettings, environment: ResolverEnvironment): Promise<Resolution> {
  const notes: string[] = [];
  const interpretersWithoutModule: string[][] = [];

  for (const entry of settings.serverPath) {
    const found = hasDirectory(entry, environment.platform)
      ? (await environment.isExecutableFile(entry))
        ? entry
        : undefined
      : await findOnPath(entry, environment);
    if (found !== undefined) {
      return { kind: 'found', launch: { command: found, args: [], source: 'serverPath' }, notes };
    }
    notes.push(`${SECTION}.server.path: ${entry} is not an executable file.`);
  }

  const tryInterpreter = async (interpreter: readonly string[], source: LaunchSource): Promise<ServerLaunch | undefined> => {
    const probe = await environment.probeInterpreter(interpreter);
    if (probe === 'ok') {
      return interpreterLaunch(interpreter, source);
    }
    if (probe === 'missingModule') {
      interpretersWithoutModule.push([...interpreter]);
      notes.push(`${sourceLabel(source)}: ${SERVER_MODULE} is not installed in ${showCommand(interpreter)}.`);
    } else {
      notes.push(`${sourceLabel(source)}: ${showCommand(interpreter)} could not be run.`);
    }
    return undefined;
  };

  if (settings.interpreter.length > 0) {
    const launch = await tryInterpreter(settings.interpreter, 'interpreter');
    if (launch) {
      return { kind: 'found', launch, notes };
    }
  }

  const selected = await environment.pythonExtensionInterpreter();
  if (selected !== undefined && selected.length > 0) {
    const launch = await tryInterpreter(selected, 'pythonExtension');
    if (launch) {
      return { kind: 'found', launch, notes };
    }
  }

  const onPath = await findOnPath(SERVER_EXECUTABLE, environment);
  if (onPath !== undefined) {
    return { kind: 'found', launch: { command: onPath, args: [], source: 'path' }, notes };
  }
  notes.push(`PATH: no ${SERVER_EXECUTABLE} executable found.`);
  return { kind: 'notFound', notes, interpretersWithoutModule };
}

/** The message shown when no server was found, naming the fix. */
export function notFoundMessage(resolution: Extract<Resolution, { kind: 'notFound' }>): string {
  const [first] = resolution.interpretersWithoutModule;
  // Notifications show plain text: the command is set off with parentheses, not Markdown.
  const install = first
    ? showCommand([...first, '-m', 'pip', 'install', SERVER_PACKAGE])
    : `pip install ${SERVER_PACKAGE}`;
  return (
    `Attune: the ${SERVER_EXECUTABLE} language server was not found. Install it (${install}), ` +
    `or set "${SECTION}.server.path" or "${SECTION}.interpreter".`
  );
}

/** The Python snippet run by the probe: exit 0 when the module can be imported, 3 when not. */
export function probeScript(moduleName: string = SERVER_MODULE): string {
  return `import importlib.util, sys; sys.exit(0 if importlib.util.find_spec('${moduleName}') else 3)`;
}
export const PROBE_MISSING_EXIT_CODE = 3;

export function probeArguments(
  interpreter: readonly string[],
  moduleName: string = SERVER_MODULE,
): { command: string; args: string[] } {
  const [command = '', ...extra] = interpreter;
  return { command, args: [...extra, '-c', probeScript(moduleName)] };
}

/** Windows can only start .bat/.cmd files through a shell. */
export function needsShell(command: string, platform: NodeJS.Platform): boolean {
  return platform === 'win32' && /\.(bat|cmd)$/i.test(command);
}

/**
 * The command and arguments to hand to `spawn`: quoted for cmd.exe when a
 * shell is needed (Node passes them to the shell as one line, unquoted).
 */
export function spawnCommand(
  command: string,
  args: readonly string[],
  platform: NodeJS.Platform,
): { command: string; args: string[]; shell: boolean } {
  if (!needsShell(command, platform)) {
    return { command, args: [...args], shell: false };
  }
  const quote = (value: string) => (/[\s"&|<>^()]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  return { command: quote(command), args: args.map(quote), shell: true };
}
