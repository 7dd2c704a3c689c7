import { PythonExtension, PVSC_EXTENSION_ID } from '@vscode/python-extension';
import * as vscode from 'vscode';

/**
 * The interpreter selected in the Python extension for `resource`, as a
 * command (`[path]`); undefined when the extension is not installed, nothing
 * is selected, or the workspace is not trusted (the selected interpreter is
 * often the workspace's own virtual environment, whose code it would run).
 */
export async function selectedInterpreter(
  resource: vscode.Uri | undefined,
  log: vscode.LogOutputChannel,
): Promise<string[] | undefined> {
  if (!vscode.workspace.isTrusted || vscode.extensions.getExtension(PVSC_EXTENSION_ID) === undefined) {
    return undefined;
  }
  try {
    const api = await PythonExtension.api();
    const environmentPath = api.environments.getActiveEnvironmentPath(resource);
    const environment = await api.environments.resolveEnvironment(environmentPath);
    const executable = environment?.executable.uri?.fsPath;
    return executable ? [executable] : undefined;
  } catch (error) {
    log.warn(`Could not ask the Python extension for its interpreter: ${String(error)}`);
    return undefined;
  }
}

/** Calls `listener` when the interpreter selected in the Python extension changes. */
export async function onSelectedInterpreterChanged(listener: () => void): Promise<vscode.Disposable | undefined> {
  if (vscode.extensions.getExtension(PVSC_EXTENSION_ID) === undefined) {
    return undefined;
  }
  try {
    const api = await PythonExtension.api();
    return api.environments.onDidChangeActiveEnvironmentPath(() => listener());
  } catch {
    return undefined;
  }
}
