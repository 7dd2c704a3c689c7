/** What the status bar item shows for each state of the server. */

export type ServerState = 'starting' | 'running' | 'stopped' | 'error';

export interface StatusPresentation {
  text: string;
  tooltip: string;
  isError: boolean;
}

export function statusPresentation(state: ServerState, detail?: string): StatusPresentation {
  const suffix = detail ? `\n${detail}` : '';
  switch (state) {
    case 'starting':
      return { text: '$(sync~spin) Attune', tooltip: `Attune language server: starting${suffix}\nClick to show the output.`, isError: false };
    case 'running':
      return { text: '$(check) Attune', tooltip: `Attune language server: running${suffix}\nClick to show the output.`, isError: false };
    case 'stopped':
      return { text: '$(circle-slash) Attune', tooltip: `Attune language server: stopped${suffix}\nClick to show the output.`, isError: false };
    case 'error':
      return { text: '$(error) Attune', tooltip: `Attune language server: error${suffix}\nClick to show the output.`, isError: true };
  }
}
