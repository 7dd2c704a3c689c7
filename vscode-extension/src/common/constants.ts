/** Names shared by the manifest (package.json), the client and the tests. */

/** Settings section; also the language client's id, so `attune.trace.server` drives tracing. */
export const SECTION = 'attune';

/** The Python module that `python -m` runs, and the console script pip installs. */
export const SERVER_MODULE = 'attune_lsp';
export const SERVER_EXECUTABLE = 'attune-lsp';
export const SERVER_PACKAGE = 'attune-lsp';

/** Commands the server carries out (advertised in its `executeCommandProvider`). */
export const SERVER_COMMANDS = {
  register: 'attune.register',
  registerDryRun: 'attune.registerDryRun',
  unregister: 'attune.unregister',
  registerPack: 'attune.registerPack',
} as const;
export type ServerCommand = (typeof SERVER_COMMANDS)[keyof typeof SERVER_COMMANDS];
export const SERVER_COMMAND_IDS: readonly ServerCommand[] = Object.values(SERVER_COMMANDS);

/** Commands the extension carries out alone. */
export const CLIENT_COMMANDS = {
  restartServer: 'attune.restartServer',
  showOutput: 'attune.showOutput',
  setDatabasePassword: 'attune.setDatabasePassword',
  clearDatabasePassword: 'attune.clearDatabasePassword',
  showWorkflowGraph: 'attune.showWorkflowGraph',
} as const;

export const COMMAND_TITLES: Readonly<Record<string, string>> = {
  [SERVER_COMMANDS.register]: 'Register Workflow',
  [SERVER_COMMANDS.registerDryRun]: 'Register Workflow (Dry Run)',
  [SERVER_COMMANDS.unregister]: 'Unregister Workflow',
  [SERVER_COMMANDS.registerPack]: 'Register Pack',
  [CLIENT_COMMANDS.restartServer]: 'Restart Server',
  [CLIENT_COMMANDS.showOutput]: 'Show Output',
  [CLIENT_COMMANDS.setDatabasePassword]: 'Set Database Password',
  [CLIENT_COMMANDS.clearDatabasePassword]: 'Clear Database Password',
  [CLIENT_COMMANDS.showWorkflowGraph]: 'Show Workflow Graph',
};

/**
 * The files the server is attached to: YAML inside packs only. Other YAML files
 * stay with whatever YAML extension the user has.
 */
export const DOCUMENT_PATTERNS = [
  '**/actions/**/*.{yaml,yml}',
  '**/workflows/**/*.{yaml,yml}',
  '**/pack.yaml',
] as const;

export const DOCUMENT_SELECTOR = DOCUMENT_PATTERNS.map((pattern) => ({
  language: 'yaml',
  scheme: 'file',
  pattern,
}));

/** Settings whose change needs a new server process rather than a notification. */
export const LAUNCH_SETTINGS = [`${SECTION}.server.path`, `${SECTION}.interpreter`] as const;

/** Settings sent to the server (initialization options and `workspace/configuration`). */
export const SERVER_SETTING_KEYS = ['databaseUrl', 'packRoots', 'maxFileSize', 'rules', 'strict'] as const;
export type ServerSettingKey = (typeof SERVER_SETTING_KEYS)[number];

export const DEFAULT_MAX_FILE_SIZE = 1024 * 1024;

export const RULE_SEVERITIES = ['off', 'error', 'warning', 'information', 'hint'] as const;
export type RuleSeverity = (typeof RULE_SEVERITIES)[number];

/** Context key that shows "Register Pack" on folders once the workspace is known to hold packs. */
export const PACK_WORKSPACE_CONTEXT = 'attune.packWorkspace';

/** Prefix of the SecretStorage keys that hold database passwords. */
export const PASSWORD_SECRET_PREFIX = 'attune.databasePassword/';
