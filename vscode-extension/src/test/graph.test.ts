import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { instance } from '@viz-js/viz';

import { SERVER_COMMAND_IDS } from '../common/constants';
import { withoutOwnedCommands } from '../common/serverCommands';
import {
  graphPage,
  isFromWebview,
  isWorkflowGraph,
  makeNonce,
  nodeAt,
  nodeIdOfElement,
  revealRange,
  viewMessage,
  type GraphNode,
  type WorkflowGraph,
} from '../common/graph';

function range(line: number, character: number, endLine: number, endCharacter: number) {
  return { start: { line, character }, end: { line: endLine, character: endCharacter } };
}

function node(id: string, name: string, whole: ReturnType<typeof range>, nameRange: ReturnType<typeof range> | null): GraphNode {
  return {
    id,
    name,
    type: 'action',
    action: 'core.echo',
    parent: null,
    range: whole,
    nameRange,
    badges: [],
    state: 'ok',
    entry: false,
    unreachable: false,
    neverRuns: null,
  };
}

// A parallel task (lines 3-12) holding a sub-task (lines 6-8), and a task after it.
const GRAPH: WorkflowGraph = {
  uri: 'file:///w/flow.workflow.yaml',
  version: 3,
  nodes: [
    node('t0', 'fan', range(3, 4, 12, 20), range(3, 10, 3, 13)),
    node('t0_0', 'inner', range(6, 8, 8, 30), range(6, 14, 6, 19)),
    node('t1', 'after', range(13, 4, 15, 10), null),
  ],
  edges: [{ id: 'e0', source: 't0', target: 't1', condition: 'succeeded', publishes: [], range: range(10, 8, 11, 20) }],
  dot: 'digraph { "t0" -> "t1" }',
};

const FIXTURES = path.resolve(__dirname, 'fixtures');

describe('graph view: the node under the cursor', () => {
  it('picks the innermost task holding the position', () => {
    assert.equal(nodeAt(GRAPH, { line: 7, character: 10 }), 't0_0');
    assert.equal(nodeAt(GRAPH, { line: 3, character: 0 }), undefined);
    assert.equal(nodeAt(GRAPH, { line: 4, character: 6 }), 't0');
    assert.equal(nodeAt(GRAPH, { line: 12, character: 20 }), 't0');
    assert.equal(nodeAt(GRAPH, { line: 13, character: 1 }), undefined);
    assert.equal(nodeAt(GRAPH, { line: 14, character: 0 }), 't1');
    assert.equal(nodeAt(GRAPH, { line: 20, character: 0 }), undefined);
  });

  it('reveals the task name when a node is clicked, else the whole task', () => {
    assert.deepEqual(revealRange(GRAPH, 't0'), range(3, 10, 3, 13));
    assert.deepEqual(revealRange(GRAPH, 't1'), range(13, 4, 15, 10));
    assert.equal(revealRange(GRAPH, 'nope'), undefined);
  });

  it('reads node ids from the ids Graphviz gives the SVG groups', () => {
    assert.equal(nodeIdOfElement('node_t0_0'), 't0_0');
    assert.equal(nodeIdOfElement('edge_e0'), undefined);
    assert.equal(nodeIdOfElement('graph0'), undefined);
  });
});

describe('graph view: messages', () => {
  it('accepts only the messages the webview sends', () => {
    assert.ok(isFromWebview({ type: 'ready' }));
    assert.ok(isFromWebview({ type: 'reveal', id: 't1' }));
    assert.ok(!isFromWebview({ type: 'reveal', id: 3 }));
    assert.ok(!isFromWebview({ type: 'run', command: 'rm' }));
    assert.ok(!isFromWebview(null));
    assert.ok(!isFromWebview('reveal'));
  });

  it('draws a graph, or says why there is none', () => {
    assert.deepEqual(viewMessage(GRAPH, 'flow', 't1'), { type: 'graph', dot: GRAPH.dot, title: 'flow', selected: 't1' });
    const notWorkflow = viewMessage({ ...GRAPH, nodes: [], edges: [], dot: undefined }, 'x', undefined);
    assert.equal(notWorkflow.type, 'empty');
    const oldServer = viewMessage(null, 'x', undefined);
    assert.equal(oldServer.type, 'empty');
    assert.ok(!isWorkflowGraph({ nodes: 'x', edges: [] }));
  });

  it('builds a page that runs only its own script, with WebAssembly allowed and no network', () => {
    const nonce = makeNonce(() => 0.5);
    assert.equal(nonce.length, 32);
    const page = graphPage({ cspSource: 'vscode-webview:', nonce, scriptUri: 'vscode-webview://x/graphView.js', title: 'a <b>' });
    assert.match(page, new RegExp(`script-src 'nonce-${nonce}' 'wasm-unsafe-eval'`));
    assert.match(page, /default-src 'none'/);
    assert.match(page, new RegExp(`<script nonce="${nonce}" src="vscode-webview://x/graphView.js"></script>`));
    assert.match(page, /<title>a &lt;b&gt;<\/title>/);
    assert.doesNotMatch(page, /https?:/);
  });
});

describe('graph view: layout with the bundled Graphviz', () => {
  it("lays out the server's DOT with clickable node ids, nothing installed", async () => {
    const dot = readFileSync(path.join(FIXTURES, 'deploy_app.dot'), 'utf8');
    const viz = await instance();
    const svg = viz.renderString(dot, { format: 'svg' });
    const ids = [...svg.matchAll(/<g id="([^"]+)" class="node"/g)].map((match) => nodeIdOfElement(match[1] ?? ''));
    assert.deepEqual(ids.sort(), ['t0', 't1', 't2', 't3', 't4', 't5', 't6', 't7', 't8', 't9']);
    assert.match(svg, /validate/);
    assert.match(svg, /<g id="edge_e10" class="edge"/);
  });
});

describe('rehearsal lens and picture commands', () => {
  it('leaves attune.rehearse and attune.showGraph to the language client, which registers them', () => {
    const advertised = { commands: [...SERVER_COMMAND_IDS, 'attune.rehearse', 'attune.showGraph'] };
    assert.deepEqual(withoutOwnedCommands(advertised, SERVER_COMMAND_IDS).commands, ['attune.rehearse', 'attune.showGraph']);
  });
});
