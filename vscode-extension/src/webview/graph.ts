/// <reference lib="dom" />
/**
 * The graph view's page script: lays the DOT out with the bundled Graphviz
 * (@viz-js/viz, WebAssembly; nothing to install), reports clicks on tasks and
 * highlights the task under the editor's cursor.
 */
import { instance, type Viz } from '@viz-js/viz';

import { nodeIdOfElement, type FromWebview, type ToWebview } from '../common/graph';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const status = document.getElementById('status');
const container = document.getElementById('graph');
let vizPromise: Promise<Viz> | undefined;
let selected: string | undefined;

function setStatus(text: string): void {
  if (status) {
    status.textContent = text;
  }
}

function highlight(id: string | undefined): void {
  selected = id;
  container?.querySelectorAll('g.node').forEach((element) => {
    element.classList.toggle('selected', id !== undefined && nodeIdOfElement(element.id) === id);
  });
}

async function draw(dot: string, title: string, selection: string | undefined): Promise<void> {
  vizPromise ??= instance();
  const viz = await vizPromise;
  let svg: SVGSVGElement;
  try {
    svg = viz.renderSVGElement(dot);
  } catch (error) {
    setStatus(`Cannot draw the graph: ${String(error)}`);
    return;
  }
  svg.querySelectorAll('g.node').forEach((element) => {
    element.addEventListener('click', () => {
      const id = nodeIdOfElement(element.id);
      if (id !== undefined) {
        vscode.postMessage({ type: 'reveal', id });
      }
    });
  });
  container?.replaceChildren(svg);
  setStatus(title);
  highlight(selection);
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const message = event.data;
  switch (message.type) {
    case 'graph':
      void draw(message.dot, message.title, message.selected ?? selected);
      break;
    case 'highlight':
      highlight(message.id);
      break;
    case 'empty':
      container?.replaceChildren();
      setStatus(message.message);
      break;
  }
});

vscode.postMessage({ type: 'ready' });
