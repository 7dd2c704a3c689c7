import * as vscode from 'vscode';

import { SECTION } from './common/constants';

/**
 * The channel the language client writes its message trace to.
 *
 * vscode-languageclient traces only while its trace channel's log level is
 * Trace, and then reads `attune.trace.server` for how much. A log channel's
 * level is in the user's hands ("Developer: Set Log Level"), so with one the
 * setting alone would do nothing. This channel reports its level from the
 * setting instead (Off for "off", Trace otherwise) and writes every line,
 * which makes `attune.trace.server` work as it reads. The output channel is
 * created on the first line, so it only appears once tracing is turned on.
 */
export class TraceChannel implements vscode.LogOutputChannel {
  readonly name = 'Attune Trace';
  private channel: vscode.OutputChannel | undefined;
  private readonly levelChanged = new vscode.EventEmitter<vscode.LogLevel>();
  private readonly listener: vscode.Disposable;
  readonly onDidChangeLogLevel = this.levelChanged.event;

  constructor() {
    this.listener = vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(`${SECTION}.trace.server`)) {
        this.levelChanged.fire(this.logLevel);
      }
    });
  }

  get logLevel(): vscode.LogLevel {
    const value = vscode.workspace.getConfiguration(SECTION).get<string>('trace.server', 'off');
    return value === 'off' ? vscode.LogLevel.Off : vscode.LogLevel.Trace;
  }

  private get output(): vscode.OutputChannel {
    this.channel ??= vscode.window.createOutputChannel(this.name);
    return this.channel;
  }

  private write(message: string | Error): void {
    this.output.appendLine(typeof message === 'string' ? message : (message.stack ?? message.message));
  }

  trace(message: string): void {
    this.write(message);
  }
  debug(message: string): void {
    this.write(message);
  }
  info(message: string): void {
    this.write(message);
  }
  warn(message: string): void {
    this.write(message);
  }
  error(error: string | Error): void {
    this.write(error);
  }
  append(value: string): void {
    this.output.append(value);
  }
  appendLine(value: string): void {
    this.output.appendLine(value);
  }
  replace(value: string): void {
    this.output.replace(value);
  }
  clear(): void {
    this.channel?.clear();
  }
  show(preserveFocus?: boolean): void;
  show(column?: vscode.ViewColumn, preserveFocus?: boolean): void;
  show(columnOrPreserveFocus?: vscode.ViewColumn | boolean, preserveFocus?: boolean): void {
    this.output.show(typeof columnOrPreserveFocus === 'boolean' ? columnOrPreserveFocus : preserveFocus);
  }
  hide(): void {
    this.channel?.hide();
  }
  dispose(): void {
    this.listener.dispose();
    this.levelChanged.dispose();
    this.channel?.dispose();
    this.channel = undefined;
  }
}
