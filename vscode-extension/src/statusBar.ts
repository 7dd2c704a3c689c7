import * as vscode from 'vscode';

import { CLIENT_COMMANDS } from './common/constants';
import { statusPresentation, type ServerState } from './common/status';

/** The server's state in the status bar; a click opens the output. Hidden until a server is started. */
export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor() {
    this.item = vscode.window.createStatusBarItem('attune.serverStatus', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Attune Language Server';
    this.item.command = CLIENT_COMMANDS.showOutput;
  }

  update(state: ServerState, detail?: string): void {
    const presentation = statusPresentation(state, detail);
    this.item.text = presentation.text;
    this.item.tooltip = presentation.tooltip;
    this.item.backgroundColor = presentation.isError
      ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : undefined;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
