/**
 * The workflow graph as the server's `attune/workflowGraph` request answers it,
 * and what the graph view needs from it: the node under the cursor, the range
 * a click reveals, the messages between the extension and the webview, and
 * the webview's page. No `vscode` import: everything here is unit-tested.
 */

export const WORKFLOW_GRAPH_REQUEST = 'attune/workflowGraph';
export const REHEARSED_NOTIFICATION = 'attune/rehearsed';

export interface GraphPosition {
  line: number;
  character: number;
}

export interface GraphRange {
  start: GraphPosition;
  end: GraphPosition;
}

export interface GraphNode {
  id: string;
  name: string;
  type: string;
  action: string | null;
  parent: string | null;
  range: GraphRange;
  nameRange: GraphRange | null;
  badges: string[];
  state: 'ok' | 'warning' | 'error';
  entry: boolean;
  unreachable: boolean;
  neverRuns: string | null;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  condition: string;
  publishes: string[];
  range: GraphRange;
}

export interface WorkflowGraph {
  uri: string;
  version: number | null;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** The same graph as Graphviz input, with the selected rehearsal's path. */
  dot?: string;
  path?: { scenario: string | null; ran: Record<string, number>; skipped: string[] };
}

/** Messages the extension posts to the webview. */
export type ToWebview =
  | { type: 'graph'; dot: string; title: string; selected: string | undefined }
  | { type: 'highlight'; id: string | undefined }
  | { type: 'empty'; message: string };

/** Messages the webview posts to the extension. */
export type FromWebview = { type: 'ready' } | { type: 'reveal'; id: string };

function before(a: GraphPosition, b: GraphPosition): boolean {
  return a.line < b.line || (a.line === b.line && a.character <= b.character);
}

function contains(range: GraphRange, position: GraphPosition): boolean {
  return before(range.start, position) && before(position, range.end);
}

function size(range: GraphRange): number {
  return (range.end.line - range.start.line) * 100_000 + (range.end.character - range.start.character);
}

/** The id of the innermost task whose text holds the position (a sub-task before its parallel task). */
export function nodeAt(graph: WorkflowGraph, position: GraphPosition): string | undefined {
  let best: GraphNode | undefined;
  for (const node of graph.nodes) {
    if (contains(node.range, position) && (best === undefined || size(node.range) < size(best.range))) {
      best = node;
    }
  }
  return best?.id;
}

/** The range a click on a node reveals: the task's name, else the whole task. */
export function revealRange(graph: WorkflowGraph, id: string): GraphRange | undefined {
  const node = graph.nodes.find((candidate) => candidate.id === id);
  return node ? (node.nameRange ?? node.range) : undefined;
}

/** The node id of an SVG group id that Graphviz wrote (`node_t0` → `t0`). */
export function nodeIdOfElement(elementId: string): string | undefined {
  return elementId.startsWith('node_') ? elementId.slice('node_'.length) : undefined;
}

/** Whether a message from the webview is one the extension understands. */
export function isFromWebview(message: unknown): message is FromWebview {
  if (typeof message !== 'object' || message === null) {
    return false;
  }
  const candidate = message as { type?: unknown; id?: unknown };
  return candidate.type === 'ready' || (candidate.type === 'reveal' && typeof candidate.id === 'string');
}

/** Checks the shape of the server's answer (an older server answers nothing). */
export function isWorkflowGraph(value: unknown): value is WorkflowGraph {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const candidate = value as { nodes?: unknown; edges?: unknown };
  return Array.isArray(candidate.nodes) && Array.isArray(candidate.edges);
}

/** What the view shows for an answer: the graph, or why there is none. */
export function viewMessage(graph: unknown, title: string, selected: string | undefined): ToWebview {
  if (!isWorkflowGraph(graph)) {
    return { type: 'empty', message: 'The language server did not answer with a graph (is attune-lsp up to date?).' };
  }
  if (graph.nodes.length === 0 || graph.dot === undefined) {
    return { type: 'empty', message: 'This file is not a workflow, or it has no tasks yet.' };
  }
  return { type: 'graph', dot: graph.dot, title, selected };
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/**
 * The webview page. Scripts run only with the nonce; `wasm-unsafe-eval` lets
 * the bundled Graphviz (WebAssembly) compile; nothing is loaded from the network.
 */
export function graphPage(options: { cspSource: string; nonce: string; scriptUri: string; title: string }): string {
  const csp = [
    "default-src 'none'",
    `style-src ${options.cspSource} 'unsafe-inline'`,
    `script-src 'nonce-${options.nonce}' 'wasm-unsafe-eval'`,
    `img-src ${options.cspSource} data:`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(options.title)}</title>
<style>
  body { padding: 8px; color: var(--vscode-foreground); }
  #status { font-size: 12px; opacity: 0.8; margin-bottom: 6px; }
  #graph svg { max-width: 100%; height: auto; }
  #graph g.node { cursor: pointer; }
  #graph g.node.selected path, #graph g.node.selected polygon { stroke: var(--vscode-focusBorder, #007fd4); stroke-width: 4px; }
</style>
</head>
<body>
<div id="status">Drawing…</div>
<div id="graph"></div>
<script nonce="${options.nonce}" src="${options.scriptUri}"></script>
</body>
</html>`;
}

/** A random nonce for the page's script tag. */
export function makeNonce(random: () => number = Math.random): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let nonce = '';
  for (let i = 0; i < 32; i++) {
    nonce += alphabet.charAt(Math.floor(random() * alphabet.length));
  }
  return nonce;
}
