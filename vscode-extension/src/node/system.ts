/** File system and process checks used to find the server (no VS Code API here). */

import { execFile } from 'node:child_process';
import { constants, promises as fs } from 'node:fs';

import {
  PROBE_MISSING_EXIT_CODE,
  probeArguments,
  spawnCommand,
  type InterpreterProbe,
} from '../common/serverResolution';

/** True when `file` is a regular file this process may execute. */
export async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) {
      return false;
    }
    // Windows has no execute bit: existing is enough (PATHEXT chose the extension).
    if (process.platform !== 'win32') {
      await fs.access(file, constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `<interpreter> -c <find attune_lsp>`: 'ok' when the module can be
 * imported, 'missingModule' when Python runs but lacks it, 'notRunnable'
 * when the interpreter cannot be started or fails otherwise.
 */
export function probeInterpreter(
  interpreter: readonly string[],
  options: { cwd?: string | undefined; timeoutMs?: number; moduleName?: string } = {},
): Promise<InterpreterProbe> {
  if (interpreter.length === 0 || !interpreter[0]) {
    return Promise.resolve('notRunnable');
  }
  const probe = probeArguments(interpreter, options.moduleName);
  const { command, args, shell } = spawnCommand(probe.command, probe.args, process.platform);
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, timeout: options.timeoutMs ?? 20_000, windowsHide: true, shell },
      (error) => {
        if (!error) {
          resolve('ok');
        } else if (error.code === PROBE_MISSING_EXIT_CODE) {
          resolve('missingModule');
        } else {
          resolve('notRunnable');
        }
      },
    );
  });
}
