import * as vscode from 'vscode';
import { type LanguageClient } from 'vscode-languageclient/node';

import { CLIENT_COMMANDS } from './common/constants';
import {
  graphPage,
  isFromWebview,
  isWorkflowGraph,
  makeNonce,
  nodeAt,
  REHEARSED_NOTIFICATION,
  revealRange,
  viewMessage,
  WORKFLOW_GRAPH_REQUEST,
  type FromWebview,
  type ToWebview,
  type WorkflowGraph,
} from './common/graph';
import type { ServerManager } from './serverManager';

const REDRAW_DELAY_MS = 300;

/**
 * "Attune: Show Workflow Graph": a webview beside the editor that draws the
 * workflow with the bundled Graphviz, redraws as the text changes (and after
 * a rehearsal), reveals a task when its node is clicked and highlights the
 * task under the cursor.
 */
export class GraphView implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private uri: vscode.Uri | undefined;
  private graph: WorkflowGraph | undefined;
  private timer: NodeJS.Timeout | undefined;
  private generation = 0;
  private readonly listening = new WeakSet<LanguageClient>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly manager: ServerManager,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (this.isShown(event.document.uri)) {
          this.redrawSoon();
        }
      }),
      vscode.window.onDidChangeTextEditorSelection((event) => {
        if (this.isShown(event.textEditor.document.uri)) {
          this.post({ type: 'highlight', id: this.selectedNode(event.textEditor) });
        }
      }),
    );
  }

  private isShown(uri: vscode.Uri): boolean {
    return this.panel !== undefined && this.uri?.toString() === uri.toString();
  }

  /** Opens the view for a workflow document (or shows it another one). */
  async show(uri: vscode.Uri): Promise<void> {
    this.uri = uri;
    const title = `Graph: ${uri.path.split('/').pop() ?? uri.path}`;
    if (this.panel) {
      this.panel.title = title;
      this.panel.reveal(vscode.ViewColumn.Beside, true);
    } else {
      const panel = vscode.window.createWebviewPanel(
        'attune.workflowGraph',
        title,
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')] },
      );
      const script = panel.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'graphView.js'));
      panel.webview.html = graphPage({ cspSource: panel.webview.cspSource, nonce: makeNonce(), scriptUri: script.toString(), title });
      panel.webview.onDidReceiveMessage((message: unknown) => {
        if (isFromWebview(message)) {
          void this.received(message);
        }
      });
      panel.onDidDispose(() => {
        this.panel = undefined;
        this.graph = undefined;
      });
      this.panel = panel;
    }
    await this.redraw();
  }

  private async received(message: FromWebview): Promise<void> {
    switch (message.type) {
      case 'ready':
        await this.redraw();
        break;
      case 'reveal':
        await this.reveal(message.id);
        break;
    }
  }

  private async reveal(id: string): Promise<void> {
    const range = this.graph ? revealRange(this.graph, id) : undefined;
    if (!range || !this.uri) {
      return;
    }
    const selection = new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
    const visible = vscode.window.visibleTextEditors.find((editor) => editor.document.uri.toString() === this.uri?.toString());
    await vscode.window.showTextDocument(this.uri, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, selection });
  }

  private selectedNode(editor: vscode.TextEditor | undefined): string | undefined {
    if (!this.graph || !editor) {
      return undefined;
    }
    const active = editor.selection.active;
    return nodeAt(this.graph, { line: active.line, character: active.character });
  }

  private redrawSoon(): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => void this.redraw(), REDRAW_DELAY_MS);
  }

  /** Asks the server for the graph and sends it to the webview (the latest request wins). */
  async redraw(): Promise<void> {
    const uri = this.uri;
    if (!this.panel || !uri) {
      return;
    }
    const generation = ++this.generation;
    const client = await this.manager.ensureStarted();
    if (!client) {
      this.post({ type: 'empty', message: 'The Attune language server is not running.' });
      return;
    }
    this.listen(client);
    let answer: unknown;
    try {
      answer = await client.sendRequest(WORKFLOW_GRAPH_REQUEST, { textDocument: { uri: uri.toString() } });
    } catch (error) {
      this.log.error(`Workflow graph: ${String(error)}`);
      answer = undefined;
    }
    if (generation !== this.generation) {
      return;
    }
    this.graph = isWorkflowGraph(answer) ? answer : undefined;
    const editor = vscode.window.visibleTextEditors.find((candidate) => candidate.document.uri.toString() === uri.toString());
    const scenario = this.graph?.path?.scenario;
    const title = `${uri.path.split('/').pop() ?? ''}${scenario ? ` — ${scenario}` : ''}`;
    this.post(viewMessage(answer, title, this.selectedNode(editor)));
  }

  private listen(client: LanguageClient): void {
    if (this.listening.has(client)) {
      return;
    }
    this.listening.add(client);
    this.disposables.push(
      client.onNotification(REHEARSED_NOTIFICATION, (params: { uri?: string }) => {
        if (params.uri !== undefined && params.uri === this.uri?.toString()) {
          void this.redraw();
        }
      }),
    );
  }

  private post(message: ToWebview): void {
    void this.panel?.webview.postMessage(message);
  }

  dispose(): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.panel?.dispose();
    for (const disposable of this.disposables) {
      disposable.dispose();
    }
  }
}

/** Registers "Attune: Show Workflow Graph" (the active editor's file, or the file it was run on). */
export function registerGraphView(extensionUri: vscode.Uri, manager: ServerManager, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const view = new GraphView(extensionUri, manager, log);
  const command = vscode.commands.registerCommand(CLIENT_COMMANDS.showWorkflowGraph, async (clicked?: unknown) => {
    const uri = clicked instanceof vscode.Uri ? clicked : vscode.window.activeTextEditor?.document.uri;
    if (!uri || uri.scheme !== 'file') {
      void vscode.window.showErrorMessage('Attune: open a workflow YAML file first.');
      return;
    }
    await view.show(uri);
  });
  return [view, command];
}
