/**
 * From VS Code settings (`attune.*`) to what the server is sent.
 *
 * The same object is the server's initialization options, the answer to its
 * `workspace/configuration` requests for the `attune` section, and the
 * `settings.attune` of `workspace/didChangeConfiguration`; its keys are the
 * server's option names.
 */

import * as path from 'node:path';

import { DEFAULT_MAX_FILE_SIZE, RULE_SEVERITIES, SECTION, type RuleSeverity } from './constants';
import { hasPassword, injectPassword, redactUrl } from './databaseUrl';
import { substituteVariables, type VariableContext } from './variables';

export interface ServerSettings {
  databaseUrl: string;
  packRoots: string[];
  maxFileSize: number;
  rules: Record<string, RuleSeverity>;
  strict: boolean;
}

/** How the server is found and started; read by the extension only. */
export interface LaunchSettings {
  serverPath: string[];
  interpreter: string[];
}

/** Reads one setting of the `attune` section by its key under it, e.g. `server.path`. */
export type SettingsReader = (key: string) => unknown;

export type Warn = (message: string) => void;

function stringArray(value: unknown, key: string, warn: Warn): string[] {
  // A plain string is taken as a one-item list: an easy mistake to make in settings.json.
  if (typeof value === 'string') {
    return value.trim() === '' ? [] : [value];
  }
  if (value === undefined || value === null) {
    return [];
  }
  if (!Array.isArray(value)) {
    warn(`${SECTION}.${key} should be a list of strings; ignored.`);
    return [];
  }
  const items: string[] = [];
  for (const item of value) {
    if (typeof item === 'string') {
      if (item.trim() !== '') {
        items.push(item);
      }
    } else {
      warn(`${SECTION}.${key}: ${JSON.stringify(item)} is not a string; ignored.`);
    }
  }
  return items;
}

function severity(value: unknown): RuleSeverity | undefined {
  if (value === false) {
    return 'off';
  }
  if (typeof value !== 'string') {
    return undefined;
  }
  const key = value.trim().toLowerCase();
  const normalized = key === 'info' ? 'information' : key;
  return (RULE_SEVERITIES as readonly string[]).includes(normalized) ? (normalized as RuleSeverity) : undefined;
}

/**
 * The settings sent to the server, without the password: this is what may be
 * logged (after `redactUrl` on the URL, for passwords typed into it).
 */
export function readServerSettings(get: SettingsReader, variables: VariableContext, warn: Warn): ServerSettings {
  const rawUrl = get('databaseUrl');
  let databaseUrl = '';
  if (typeof rawUrl === 'string') {
    databaseUrl = rawUrl.trim();
  } else if (rawUrl !== undefined && rawUrl !== null) {
    warn(`${SECTION}.databaseUrl should be a string; ignored.`);
  }
  if (hasPassword(databaseUrl)) {
    warn(
      `${SECTION}.databaseUrl contains a password (${redactUrl(databaseUrl)}). Settings files are plain text: ` +
        'remove it and use "Attune: Set Database Password" instead.',
    );
  }

  const packRoots = stringArray(get('packRoots'), 'packRoots', warn).map((root) => {
    const expanded = substituteVariables(root, variables);
    return variables.workspaceFolder !== undefined && !path.isAbsolute(expanded)
      ? path.resolve(variables.workspaceFolder, expanded)
      : expanded;
  });

  const rawSize = get('maxFileSize');
  let maxFileSize = DEFAULT_MAX_FILE_SIZE;
  if (typeof rawSize === 'number' && Number.isSafeInteger(rawSize) && rawSize > 0) {
    maxFileSize = rawSize;
  } else if (rawSize !== undefined && rawSize !== null) {
    warn(`${SECTION}.maxFileSize should be a positive whole number of bytes; using ${DEFAULT_MAX_FILE_SIZE}.`);
  }

  const rawRules = get('rules');
  const rules: Record<string, RuleSeverity> = {};
  if (rawRules !== null && typeof rawRules === 'object' && !Array.isArray(rawRules)) {
    for (const [rule, value] of Object.entries(rawRules as Record<string, unknown>)) {
      const level = severity(value);
      if (level === undefined) {
        warn(`${SECTION}.rules: "${rule}" is set to ${JSON.stringify(value)}, not one of ${RULE_SEVERITIES.join(', ')}; ignored.`);
      } else {
        rules[rule] = level;
      }
    }
  } else if (rawRules !== undefined && rawRules !== null) {
    warn(`${SECTION}.rules should be an object of rule id to severity; ignored.`);
  }

  const rawStrict = get('strict');
  const strict = rawStrict === true;
  if (rawStrict !== undefined && rawStrict !== null && typeof rawStrict !== 'boolean') {
    warn(`${SECTION}.strict should be true or false; using false.`);
  }

  return { databaseUrl, packRoots, maxFileSize, rules, strict };
}

/** The settings as the server process gets them: the stored password joined to the URL. */
export function withPassword(settings: ServerSettings, password: string | undefined): ServerSettings {
  return { ...settings, databaseUrl: injectPassword(settings.databaseUrl, password) };
}

/** A one-line description for the log; never shows a password. */
export function describeServerSettings(settings: ServerSettings): string {
  return JSON.stringify({ ...settings, databaseUrl: redactUrl(settings.databaseUrl) });
}

export function readLaunchSettings(get: SettingsReader, variables: VariableContext, warn: Warn): LaunchSettings {
  const expand = (value: string) => substituteVariables(value, variables);
  return {
    serverPath: stringArray(get('server.path'), 'server.path', warn).map(expand),
    interpreter: stringArray(get('interpreter'), 'interpreter', warn).map(expand),
  };
}
