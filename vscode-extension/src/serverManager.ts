import * as path from 'node:path';
import * as vscode from 'vscode';
import { DidChangeConfigurationNotification, State, type LanguageClient } from 'vscode-languageclient/node';

import { createLanguageClient } from './client';
import { SECTION } from './common/constants';
import { maskSecrets } from './common/mask';
import {
  describeLaunch,
  notFoundMessage,
  resolveServer,
  type ServerLaunch,
} from './common/serverResolution';
import type { ServerSettings } from './common/settings';
import type { Settings } from './config';
import { isExecutableFile, probeInterpreter } from './node/system';
import { selectedInterpreter } from './python';
import type { StatusBar } from './statusBar';

/** Starts, stops and restarts the language client; one server for the window. */
export class ServerManager implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private launch: ServerLaunch | undefined;
  private latestSettings: ServerSettings | undefined;
  private readonly advertisedCommands = new Set<string>();
  private stopping = false;
  private attempted = false;
  // Start, stop and restart run one after the other, never interleaved.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly settings: Settings,
    private readonly log: vscode.LogOutputChannel,
    private readonly traceChannel: vscode.LogOutputChannel,
    private readonly status: StatusBar,
    private readonly extensionId: string,
  ) {}

  /** True once a start was tried: setting changes then restart the server. */
  get active(): boolean {
    return this.attempted;
  }

  /** Where the running server came from, if one runs. */
  get launchSource(): ServerLaunch['source'] | undefined {
    return this.launch?.source;
  }

  private enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.queue.then(operation, operation);
    this.queue = run.catch(() => undefined);
    return run;
  }

  start(): Promise<void> {
    return this.enqueue(() => this.doStart());
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.doStop());
  }

  restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.doStop();
      await this.doStart();
    });
  }

  /** Restarts when a server was started (or tried to); otherwise waits for a pack file. */
  async restartIfActive(): Promise<void> {
    if (this.attempted) {
      await this.restart();
    }
  }

  /** The running client, starting the server first if needed; undefined when none could be started. */
  async ensureStarted(): Promise<LanguageClient | undefined> {
    await this.enqueue(async () => {
      if (this.client?.state === State.Starting) {
        // Restarting by itself after a crash: wait for it rather than start another.
        await this.client.start().catch(() => undefined);
      }
      if (!this.client?.isRunning()) {
        await this.doStop();
        await this.doStart();
      }
    });
    return this.client?.isRunning() ? this.client : undefined;
  }

  /** True when the running server advertised the command. */
  supports(command: string): boolean {
    return this.advertisedCommands.has(command);
  }

  private mask(text: string): string {
    return maskSecrets(text, this.settings.passwords.secretsToMask());
  }

  private async doStart(): Promise<void> {
    if (this.client) {
      return;
    }
    this.attempted = true;
    this.status.update('starting');
    const resolution = await resolveServer(this.settings.launchSettings(), {
      platform: process.platform,
      env: process.env,
      isExecutableFile,
      probeInterpreter: (interpreter) =>
        probeInterpreter(interpreter, { cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath }),
      pythonExtensionInterpreter: () => selectedInterpreter(vscode.workspace.workspaceFolders?.[0]?.uri, this.log),
    });
    for (const note of resolution.notes) {
      this.log.warn(note);
    }
    if (resolution.kind === 'notFound') {
      const message = notFoundMessage(resolution);
      this.launch = undefined;
      this.log.error(message);
      this.status.update('error', 'attune-lsp was not found.');
      void this.notify(message);
      return;
    }

    const launch = resolution.launch;
    this.launch = launch;
    this.log.info(`Starting the language server: ${describeLaunch(launch)}`);
    const initial = await this.settings.serverSettings();
    this.latestSettings = initial.settings;
    this.log.info(`Settings: ${initial.description}`);
    this.advertisedCommands.clear();

    const packFiles = await vscode.workspace.findFiles('**/pack.yaml', '**/node_modules/**');
    const packFolders = packFiles.map((uri) => path.dirname(uri.fsPath));
    const client = createLanguageClient(launch, {
      packFolders,
      outputChannel: this.log,
      traceOutputChannel: this.traceChannel,
      settingsFor: async (scopeUri) =>
        (await this.settings.serverSettings(scopeUri ? vscode.Uri.parse(scopeUri) : undefined)).settings,
      initializationOptions: () => this.latestSettings ?? initial.settings,
      pushSettings: () => this.pushSettings(),
      serverCommandsAdvertised: (commands) => {
        for (const command of commands) {
          this.advertisedCommands.add(command);
        }
      },
      activeResource: () => vscode.window.activeTextEditor?.document.uri,
    });
    this.client = client;
    this.stopping = false;
    const detail = describeLaunch(launch);
    client.onDidChangeState((event) => {
      if (this.client !== client) {
        return;
      }
      switch (event.newState) {
        case State.Starting:
          this.status.update('starting', detail);
          break;
        case State.Running:
          this.status.update('running', detail);
          break;
        case State.StartFailed:
          this.status.update('error', `${detail}\nThe server failed to start.`);
          break;
        case State.Stopped:
          // Stopped without being asked: the server exited and the client gave up restarting it.
          this.status.update(this.stopping ? 'stopped' : 'error', this.stopping ? detail : `${detail}\nThe server stopped.`);
          break;
      }
    });

    try {
      await client.start();
    } catch (error) {
      const message = this.mask(error instanceof Error ? error.message : String(error));
      this.log.error(`The language server could not be started: ${message}`);
      this.status.update('error', `${detail}\n${message}`);
      this.client = undefined;
      this.stopping = true;
      // No notification of our own: the client has already shown one for a failed start.
      await client.dispose().catch(() => undefined);
    }
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.launch = undefined;
    this.advertisedCommands.clear();
    if (!client) {
      return;
    }
    this.stopping = true;
    try {
      await client.dispose();
    } catch (error) {
      this.log.warn(`Stopping the language server: ${this.mask(String(error))}`);
    }
    this.status.update('stopped');
  }

  /**
   * Sends the current settings, password included, to the running server as
   * `workspace/didChangeConfiguration`, and keeps them as the initialization
   * options of a later restart.
   */
  async pushSettings(): Promise<void> {
    this.settings.settingsChanged();
    const resolved = await this.settings.serverSettings();
    this.latestSettings = resolved.settings;
    const client = this.client;
    if (!client?.isRunning()) {
      return;
    }
    this.log.info(`Settings changed: ${resolved.description}`);
    await client.sendNotification(DidChangeConfigurationNotification.type, {
      settings: { [SECTION]: resolved.settings },
    });
  }

  private async notify(message: string): Promise<void> {
    const openSettings = 'Open Settings';
    const showOutput = 'Show Output';
    const choice = await vscode.window.showErrorMessage(message, openSettings, showOutput);
    if (choice === openSettings) {
      await vscode.commands.executeCommand('workbench.action.openSettings', `@ext:${this.extensionId}`);
    } else if (choice === showOutput) {
      this.log.show(true);
    }
  }

  dispose(): void {
    void this.stop();
  }
}
