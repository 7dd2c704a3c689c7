import * as path from 'node:path';
import * as vscode from 'vscode';
import { ExecuteCommandRequest } from 'vscode-languageclient/node';

import { describeCommandResult, isFailedResult, wasShownByServer } from './common/commandResult';
import { CLIENT_COMMANDS, COMMAND_TITLES, SECTION, SERVER_COMMANDS, SERVER_COMMAND_IDS, SERVER_PACKAGE, type ServerCommand } from './common/constants';
import { credentialTarget, hasPassword } from './common/databaseUrl';
import { maskSecrets } from './common/mask';
import type { Settings } from './config';
import type { ServerManager } from './serverManager';

const SHOW_OUTPUT = 'Show Output';
const OPEN_SETTINGS = 'Open Settings';

interface CommandContext {
  manager: ServerManager;
  settings: Settings;
  log: vscode.LogOutputChannel;
  extensionId: string;
}

/**
 * The resources a command was invoked on: the explorer passes the clicked
 * item and the whole selection, editor menus the file; the palette nothing.
 */
function invokedOn(args: readonly unknown[]): vscode.Uri[] {
  const [clicked, selection] = args;
  if (Array.isArray(selection) && selection.length > 0 && selection.every((item) => item instanceof vscode.Uri)) {
    return selection;
  }
  return clicked instanceof vscode.Uri ? [clicked] : [];
}

function activeFile(): vscode.Uri | undefined {
  const uri = vscode.window.activeTextEditor?.document.uri;
  return uri?.scheme === 'file' ? uri : undefined;
}

async function targetsFor(command: ServerCommand, args: readonly unknown[]): Promise<vscode.Uri[]> {
  const invoked = invokedOn(args);
  if (invoked.length > 0) {
    return invoked;
  }
  const active = activeFile();
  if (active) {
    return [active];
  }
  if (command === SERVER_COMMANDS.registerPack) {
    const picked = await vscode.window.showOpenDialog({
      canSelectFiles: false,
      canSelectFolders: true,
      canSelectMany: false,
      openLabel: 'Register Pack',
      title: 'Attune: choose the pack folder to register',
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    return picked ?? [];
  }
  void vscode.window.showErrorMessage('Attune: open a workflow YAML file of a pack first, or pick one in the explorer.');
  return [];
}

/** Saves the open documents the command will read: the file itself, or every file under the folder. */
async function saveDirty(targets: readonly vscode.Uri[]): Promise<void> {
  const dirty = vscode.workspace.textDocuments.filter((document) => {
    if (!document.isDirty || document.uri.scheme !== 'file') {
      return false;
    }
    return targets.some((target) => {
      const relative = path.relative(target.fsPath, document.uri.fsPath);
      return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
    });
  });
  await Promise.all(dirty.map((document) => document.save()));
}

async function runServerCommand(context: CommandContext, command: ServerCommand, args: readonly unknown[]): Promise<void> {
  const title = COMMAND_TITLES[command] ?? command;
  const targets = await targetsFor(command, args);
  if (targets.length === 0) {
    return;
  }
  await saveDirty(targets);
  const client = await context.manager.ensureStarted();
  if (!client) {
    // ServerManager has already said why.
    return;
  }
  if (!context.manager.supports(command)) {
    void vscode.window.showErrorMessage(
      `Attune: the running ${SERVER_PACKAGE} server has no "${title}" command. Upgrade it: pip install --upgrade ${SERVER_PACKAGE}.`,
    );
    return;
  }
  const mask = (text: string) => maskSecrets(text, context.settings.passwords.secretsToMask());
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Attune: ${title}`, cancellable: true },
    async (_progress, token) => {
      for (const target of targets) {
        const argument = target.toString();
        context.log.info(`${title}: ${argument}`);
        try {
          const result: unknown = await client.sendRequest(
            ExecuteCommandRequest.type,
            { command, arguments: [argument] },
            token,
          );
          if (token.isCancellationRequested) {
            return;
          }
          context.log.info(`${title} result: ${mask(JSON.stringify(result) ?? 'null')}`);
          if (wasShownByServer(result)) {
            return;
          }
          const message = mask(describeCommandResult(title, result));
          const shown = isFailedResult(result)
            ? vscode.window.showErrorMessage(`Attune: ${message}`, SHOW_OUTPUT)
            : vscode.window.showInformationMessage(`Attune: ${message}`, SHOW_OUTPUT);
          void shown.then((choice) => {
            if (choice === SHOW_OUTPUT) {
              context.log.show(true);
            }
          });
        } catch (error) {
          if (token.isCancellationRequested) {
            return;
          }
          const message = mask(error instanceof Error ? error.message : String(error));
          context.log.error(`${title} failed for ${argument}: ${message}`);
          const choice = await vscode.window.showErrorMessage(`Attune: ${title} failed: ${message}`, SHOW_OUTPUT);
          if (choice === SHOW_OUTPUT) {
            context.log.show(true);
          }
          return;
        }
      }
    },
  );
}

/** The resource whose settings the password commands use: the active file's folder, else the window. */
function settingsResource(): vscode.Uri | undefined {
  return vscode.window.activeTextEditor?.document.uri;
}

async function openDatabaseUrlSetting(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.databaseUrl`);
}

async function setDatabasePassword(context: CommandContext): Promise<void> {
  const url = context.settings.databaseUrl(settingsResource());
  if (!url) {
    const choice = await vscode.window.showErrorMessage(
      `Attune: set "${SECTION}.databaseUrl" first (for example postgresql://attune@localhost:5432/attune). The password is kept for its user and host.`,
      OPEN_SETTINGS,
    );
    if (choice === OPEN_SETTINGS) {
      await openDatabaseUrlSetting();
    }
    return;
  }
  const target = credentialTarget(url);
  if (target === undefined) {
    void vscode.window.showErrorMessage(
      `Attune: "${SECTION}.databaseUrl" is not a URL such as postgresql://user@host:5432/database, so no password can be added to it.`,
    );
    return;
  }
  if (hasPassword(url)) {
    void vscode.window.showWarningMessage(
      `Attune: "${SECTION}.databaseUrl" already contains a password, which is used instead of the stored one. Remove it from the settings.`,
    );
  }
  const password = await vscode.window.showInputBox({
    title: 'Attune: Set Database Password',
    prompt: `Password of ${target}. It is kept in VS Code's secret storage, not in the settings.`,
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) =>
      value === '' ? 'Enter the password, or run "Attune: Clear Database Password" to remove it.' : undefined,
  });
  if (password === undefined) {
    return;
  }
  await context.settings.passwords.set(url, password);
  context.log.info(`Database password stored for ${target}.`);
  void vscode.window.showInformationMessage(`Attune: the database password for ${target} is stored.`);
}

async function clearDatabasePassword(context: CommandContext): Promise<void> {
  const url = context.settings.databaseUrl(settingsResource());
  const target = url ? credentialTarget(url) : undefined;
  if (target === undefined) {
    void vscode.window.showInformationMessage(`Attune: "${SECTION}.databaseUrl" is not set to a URL, so there is no password to clear.`);
    return;
  }
  const cleared = await context.settings.passwords.clear(url);
  context.log.info(cleared ? `Database password cleared for ${target}.` : `No database password was stored for ${target}.`);
  void vscode.window.showInformationMessage(
    cleared ? `Attune: the database password for ${target} is cleared.` : `Attune: no database password was stored for ${target}.`,
  );
}

export function registerCommands(context: CommandContext): vscode.Disposable[] {
  const disposables = SERVER_COMMAND_IDS.map((command) =>
    vscode.commands.registerCommand(command, (...args: unknown[]) => runServerCommand(context, command, args)),
  );
  disposables.push(
    vscode.commands.registerCommand(CLIENT_COMMANDS.restartServer, () => context.manager.restart()),
    vscode.commands.registerCommand(CLIENT_COMMANDS.showOutput, () => context.log.show(true)),
    vscode.commands.registerCommand(CLIENT_COMMANDS.setDatabasePassword, () => setDatabasePassword(context)),
    vscode.commands.registerCommand(CLIENT_COMMANDS.clearDatabasePassword, () => clearDatabasePassword(context)),
  );
  return disposables;
}
