import * as os from 'node:os';
import * as vscode from 'vscode';

import { SECTION } from './common/constants';
import type { PasswordStore } from './common/passwords';
import { resolveServerSettings, type ResolvedServerSettings } from './common/serverSettings';
import { readLaunchSettings, type LaunchSettings, type SettingsReader } from './common/settings';
import type { VariableContext } from './common/variables';

/** Reads the `attune.*` settings through the VS Code API. */
export class Settings {
  // Each problem with the settings is logged once, not at every request of the server.
  private readonly warned = new Set<string>();

  constructor(
    private readonly log: vscode.LogOutputChannel,
    readonly passwords: PasswordStore,
  ) {}

  private readonly warn = (message: string): void => {
    if (!this.warned.has(message)) {
      this.warned.add(message);
      this.log.warn(message);
    }
  };

  /** Lets problems be logged again once the user has changed the settings. */
  settingsChanged(): void {
    this.warned.clear();
  }

  folderFor(resource: vscode.Uri | undefined): vscode.WorkspaceFolder | undefined {
    return resource ? vscode.workspace.getWorkspaceFolder(resource) : vscode.workspace.workspaceFolders?.[0];
  }

  variables(folder: vscode.WorkspaceFolder | undefined): VariableContext {
    return {
      workspaceFolder: folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined,
      userHome: os.homedir(),
      env: process.env,
    };
  }

  private reader(resource: vscode.Uri | undefined): SettingsReader {
    const config = vscode.workspace.getConfiguration(SECTION, resource ?? null);
    return (key) => config.get(key);
  }

  launchSettings(): LaunchSettings {
    const folder = this.folderFor(undefined);
    return readLaunchSettings(this.reader(folder?.uri), this.variables(folder), this.warn);
  }

  /** The settings for the server: for `resource`'s folder, or the window's when undefined. */
  serverSettings(resource?: vscode.Uri): Promise<ResolvedServerSettings> {
    const folder = resource ? this.folderFor(resource) : this.folderFor(undefined);
    return resolveServerSettings(this.reader(resource), this.variables(folder), this.passwords, this.warn);
  }

  /** `attune.databaseUrl` as written (no password added). */
  databaseUrl(resource?: vscode.Uri): string {
    const value = this.reader(resource)('databaseUrl');
    return typeof value === 'string' ? value.trim() : '';
  }
}
