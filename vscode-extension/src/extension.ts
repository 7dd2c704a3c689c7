import * as vscode from 'vscode';

import { registerCommands } from './commands';
import { registerGraphView } from './graphView';
import { DOCUMENT_SELECTOR, LAUNCH_SETTINGS, PACK_WORKSPACE_CONTEXT, PASSWORD_SECRET_PREFIX, SECTION } from './common/constants';
import { createMaskedChannel } from './common/mask';
import { PasswordStore } from './common/passwords';
import { Settings } from './config';
import { onSelectedInterpreterChanged } from './python';
import { ServerManager } from './serverManager';
import { StatusBar } from './statusBar';
import { TraceChannel } from './traceChannel';

let manager: ServerManager | undefined;

function isPackDocument(document: vscode.TextDocument): boolean {
  return vscode.languages.match(DOCUMENT_SELECTOR, document) > 0;
}

async function workspaceHasPacks(): Promise<boolean> {
  const found = await vscode.workspace.findFiles('{**/pack.yaml,**/actions/workflows/*.yaml}', '**/node_modules/**', 1);
  return found.length > 0;
}

export function activate(context: vscode.ExtensionContext): void {
  const passwords = new PasswordStore(context.secrets);
  const secrets = () => passwords.secretsToMask();
  // Everything written to these channels is masked first: the client's log,
  // the server's stderr and log messages, and the message trace.
  const log = createMaskedChannel(vscode.window.createOutputChannel('Attune', { log: true }), secrets);
  const trace = new TraceChannel();
  const maskedTrace = createMaskedChannel<vscode.LogOutputChannel>(trace, secrets);
  const status = new StatusBar();
  const settings = new Settings(log, passwords);
  const serverManager = new ServerManager(settings, log, maskedTrace, status, context.extension.id);
  manager = serverManager;
  context.subscriptions.push(log, trace, status, serverManager);
  context.subscriptions.push(...registerCommands({ manager: serverManager, settings, log, extensionId: context.extension.id }));
  context.subscriptions.push(...registerGraphView(context.extensionUri, serverManager, log));

  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(SECTION)) {
        return;
      }
      settings.settingsChanged();
      if (LAUNCH_SETTINGS.some((key) => event.affectsConfiguration(key))) {
        log.info('Server settings changed: restarting the language server.');
        void serverManager.restartIfActive();
      }
      // The other settings reach the server through the client's
      // didChangeConfiguration, which ServerManager.pushSettings answers.
    }),
    context.secrets.onDidChange((event) => {
      if (event.key.startsWith(PASSWORD_SECRET_PREFIX)) {
        void serverManager.pushSettings();
      }
    }),
    // Trust allows the Python extension's interpreter and the workspace's settings.
    vscode.workspace.onDidGrantWorkspaceTrust(() => void serverManager.restartIfActive()),
  );

  void onSelectedInterpreterChanged(() => {
    const source = serverManager.launchSource;
    // Only when the selected interpreter is (or could now be) what the server runs with.
    if (source === undefined || source === 'pythonExtension' || source === 'path') {
      void serverManager.restartIfActive();
    }
  }).then((disposable) => {
    if (disposable) {
      context.subscriptions.push(disposable);
    }
  });

  // `onLanguage:yaml` activates the extension for any YAML file; the server is
  // started only once the workspace holds packs or a pack file is opened, so
  // other YAML work sees no server, no status item and no error.
  let packsSeen = false;
  const startForPacks = async (): Promise<void> => {
    if (packsSeen) {
      return;
    }
    packsSeen = true;
    await vscode.commands.executeCommand('setContext', PACK_WORKSPACE_CONTEXT, true);
    await serverManager.start();
  };
  const listener = vscode.workspace.onDidOpenTextDocument((document) => {
    if (isPackDocument(document)) {
      listener.dispose();
      void startForPacks();
    }
  });
  context.subscriptions.push(listener);
  if (vscode.workspace.textDocuments.some(isPackDocument)) {
    listener.dispose();
    void startForPacks();
  } else {
    // Not awaited: a search of a large workspace must not hold up activation.
    void workspaceHasPacks().then((hasPacks) => {
      if (hasPacks) {
        listener.dispose();
        void startForPacks();
      }
    });
  }
}

export async function deactivate(): Promise<void> {
  await manager?.stop();
  manager = undefined;
}
