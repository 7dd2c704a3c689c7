/**
 * The settings as the server gets them, and the line the log gets instead.
 */

import type { VariableContext } from './variables';
import { describeServerSettings, readServerSettings, withPassword, type ServerSettings, type SettingsReader, type Warn } from './settings';

export interface PasswordSource {
  get(databaseUrl: string): Promise<string | undefined>;
}

export interface ResolvedServerSettings {
  /** What the server process is sent: the password is in `databaseUrl`. Never log this. */
  settings: ServerSettings;
  /** What may be logged: the same settings with any password masked. */
  description: string;
}

export async function resolveServerSettings(
  get: SettingsReader,
  variables: VariableContext,
  passwords: PasswordSource,
  warn: Warn,
): Promise<ResolvedServerSettings> {
  const plain = readServerSettings(get, variables, warn);
  const password = plain.databaseUrl ? await passwords.get(plain.databaseUrl) : undefined;
  return { settings: withPassword(plain, password), description: describeServerSettings(plain) };
}
