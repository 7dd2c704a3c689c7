import * as vscode from 'vscode';
import {
  CancellationToken,
  CloseAction,
  ErrorAction,
  LanguageClient,
  ResponseError,
  RevealOutputChannelOn,
  type CloseHandlerResult,
  type ErrorHandler,
  type ErrorHandlerResult,
  type Executable,
  type FeatureState,
  type LanguageClientOptions,
  type ServerCapabilities,
  type StaticFeature,
} from 'vscode-languageclient/node';

import { documentSelector, SECTION, SERVER_COMMAND_IDS } from './common/constants';
import { spawnCommand, type ServerLaunch } from './common/serverResolution';
import {
  answerConfiguration,
  filterCommandRegistrations,
  registeredCommands,
  withoutOwnedCommands,
} from './common/serverCommands';
import type { ServerSettings } from './common/settings';

export interface ClientHooks {
  outputChannel: vscode.LogOutputChannel;
  traceOutputChannel: vscode.LogOutputChannel;
  /** The settings for a `workspace/configuration` item's scope, password included. */
  settingsFor: (scopeUri: string | undefined) => Promise<ServerSettings>;
  /** The initialization options: the latest settings, password included. */
  initializationOptions: () => ServerSettings;
  /** Sends the settings to the server (replaces the client's own didChangeConfiguration). */
  pushSettings: () => Promise<void>;
  /** Told of every command the server advertises, the ones the extension owns included. */
  serverCommandsAdvertised: (commands: readonly string[]) => void;
  /** The URI the palette means when a server command comes without arguments. */
  activeResource: () => vscode.Uri | undefined;
  /** The folders of the workspace's packs (their `workflows/` folders are attached too). */
  packFolders: readonly string[];
}

/**
 * Takes the commands the extension registers itself out of the server's
 * `executeCommandProvider` before vscode-languageclient sees it; see
 * `common/serverCommands.ts` for why. `preInitialize` runs for all features
 * before any `initialize`, so the order in which features are registered
 * does not matter. The client's capabilities object is a copy, so
 * `initializeResult` keeps the full list.
 */
class OwnedCommandsFeature implements StaticFeature {
  constructor(private readonly advertised: (commands: readonly string[]) => void) {}

  fillClientCapabilities(): void {
    // Nothing to announce: the client's executeCommand capability stays as is.
  }

  preInitialize(capabilities: ServerCapabilities): void {
    const provider = capabilities.executeCommandProvider;
    this.advertised(provider?.commands ?? []);
    capabilities.executeCommandProvider = withoutOwnedCommands(provider, SERVER_COMMAND_IDS);
  }

  initialize(): void {
    // Done in preInitialize.
  }

  getState(): FeatureState {
    return { kind: 'static' };
  }

  clear(): void {
    // Holds no state.
  }
}

/**
 * The client's default crash handling, except for a server that exits before
 * it has answered `initialize` (a broken install, an import error): starting
 * it again would fail the same way, and the client would pile up "restarting
 * failed" notifications while the extension reports the failed start.
 */
class CrashHandler implements ErrorHandler {
  private static readonly maxRestarts = 4;
  private readonly restarts: number[] = [];

  constructor(private readonly initialized: () => boolean) {}

  error(_error: Error, _message: unknown, count: number | undefined): ErrorHandlerResult {
    return { action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown };
  }

  closed(): CloseHandlerResult {
    if (!this.initialized()) {
      return { action: CloseAction.DoNotRestart, handled: true };
    }
    const now = Date.now();
    this.restarts.push(now);
    while (this.restarts.length > 0 && now - (this.restarts[0] ?? now) > 3 * 60 * 1000) {
      this.restarts.shift();
    }
    if (this.restarts.length <= CrashHandler.maxRestarts) {
      return { action: CloseAction.Restart };
    }
    return {
      action: CloseAction.DoNotRestart,
      message: `The Attune language server stopped ${this.restarts.length} times in 3 minutes and will not be restarted. See the output, then run "Attune: Restart Server".`,
    };
  }
}

export function createLanguageClient(launch: ServerLaunch, hooks: ClientHooks): LanguageClient {
  const folder = vscode.workspace.workspaceFolders?.find((candidate) => candidate.uri.scheme === 'file');
  const spawn = spawnCommand(launch.command, launch.args, process.platform);
  // No `transport`: with TransportKind.stdio the client would add `--stdio`;
  // the server speaks LSP on stdio when given no arguments.
  const serverOptions: Executable = {
    command: spawn.command,
    args: spawn.args,
    options: { cwd: folder?.uri.fsPath, shell: spawn.shell },
  };

  // The error handler is made before the client it asks about.
  const created: { client?: LanguageClient } = {};
  const clientOptions: LanguageClientOptions = {
    documentSelector: documentSelector(hooks.packFolders),
    diagnosticCollectionName: SECTION,
    outputChannel: hooks.outputChannel,
    traceOutputChannel: hooks.traceOutputChannel,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    // A function, so a restart by the client itself (after a crash) sends the current settings.
    initializationOptions: () => hooks.initializationOptions(),
    // Reports the failure through the extension (status bar, one notification) instead of the client's own popup.
    initializationFailedHandler: (error: unknown) => {
      hooks.outputChannel.error(`The server failed to initialize: ${String(error)}`);
      return false;
    },
    errorHandler: new CrashHandler(() => created.client?.initializeResult !== undefined),
    synchronize: { configurationSection: SECTION },
    middleware: {
      handleRegisterCapability: async (params, next) => {
        hooks.serverCommandsAdvertised(registeredCommands(params));
        await next(filterCommandRegistrations(params, SERVER_COMMAND_IDS), CancellationToken.None);
      },
      // Commands of the server other than the extension's own: from the
      // palette they come without arguments, and the server expects the
      // file they apply to, as it does for the extension's commands.
      executeCommand: (command, args, next) => {
        const resource = args.length === 0 ? hooks.activeResource() : undefined;
        const result: unknown = next(command, resource ? [resource.toString()] : args);
        return result;
      },
      workspace: {
        // The password is not in the settings VS Code holds, so the answer for
        // the `attune` section is built by the extension.
        configuration: async (params, token, next) => {
          const defaults = await next(params, token);
          if (defaults instanceof ResponseError || !Array.isArray(defaults)) {
            return defaults;
          }
          return answerConfiguration(params.items, defaults, hooks.settingsFor);
        },
        // The client would send `attune` as VS Code holds it (no password, and
        // `server`/`interpreter`/`trace` besides): send the server's settings instead.
        didChangeConfiguration: () => hooks.pushSettings(),
      },
    },
  };

  const client = new LanguageClient(SECTION, 'Attune Language Server', serverOptions, clientOptions);
  client.registerFeature(new OwnedCommandsFeature(hooks.serverCommandsAdvertised));
  created.client = client;
  return client;
}
