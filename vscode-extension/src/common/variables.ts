/** `${workspaceFolder}`-style variables in path settings, as VS Code's own settings allow. */

export interface VariableContext {
  /** File system path of the workspace folder the setting belongs to, if any. */
  workspaceFolder?: string | undefined;
  userHome: string;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * Expands `${workspaceFolder}`, `${userHome}`, `${env:NAME}` and a leading `~`.
 * A variable that has no value (no folder open, unset variable) is left as
 * written, so the path visibly fails instead of silently pointing elsewhere.
 */
export function substituteVariables(value: string, context: VariableContext): string {
  let result = value.replace(/\$\{(workspaceFolder|userHome|env:([^}]+))\}/g, (whole, name: string, envName?: string) => {
    if (name === 'workspaceFolder') {
      return context.workspaceFolder ?? whole;
    }
    if (name === 'userHome') {
      return context.userHome;
    }
    const envValue = envName === undefined ? undefined : context.env[envName];
    return envValue ?? whole;
  });
  if (result === '~' || result.startsWith('~/') || result.startsWith('~\\')) {
    result = context.userHome + result.slice(1);
  }
  return result;
}
