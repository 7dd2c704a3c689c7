/**
 * The server's commands as the extension registers them.
 *
 * The four server commands have the same ids as the extension's palette and
 * menu commands. vscode-languageclient registers one VS Code command for each
 * id in the server's `executeCommandProvider` (at `initialize`, and again for
 * each dynamic `workspace/executeCommand` registration); VS Code refuses a
 * second registration of an id ("command already exists") and the client
 * would fail to start. ruff-vscode avoids this by giving the palette command
 * and the server command different ids (`ruff.executeAutofix` sends
 * `ruff.applyAutofix`); here the ids are shared on purpose (one name in the
 * palette, in keybindings and in the server's docs), so the extension
 * keeps its own registration, made at activation so the commands work, and
 * explain themselves, even before or without a server, and the client is told
 * of the other commands only. These functions do the filtering; the client
 * applies them in a feature's `preInitialize` (run for every feature before
 * any feature's `initialize`) and in the `handleRegisterCapability` middleware.
 */

import type { ConfigurationItem, ExecuteCommandOptions, RegistrationParams } from 'vscode-languageclient';

import { SECTION, SERVER_SETTING_KEYS, type ServerSettingKey } from './constants';
import type { ServerSettings } from './settings';

const EXECUTE_COMMAND_METHOD = 'workspace/executeCommand';

/** The provider with the commands in `owned` taken out (a copy; the input is not changed). */
export function withoutOwnedCommands<T extends ExecuteCommandOptions | undefined>(
  provider: T,
  owned: readonly string[],
): T {
  if (provider === undefined || !Array.isArray(provider.commands)) {
    return provider;
  }
  return { ...provider, commands: provider.commands.filter((command) => !owned.includes(command)) };
}

/** The registration request with the commands in `owned` taken out of `workspace/executeCommand` registrations. */
export function filterCommandRegistrations(params: RegistrationParams, owned: readonly string[]): RegistrationParams {
  return {
    ...params,
    registrations: params.registrations.map((registration) =>
      registration.method === EXECUTE_COMMAND_METHOD && registration.registerOptions !== undefined
        ? {
            ...registration,
            registerOptions: withoutOwnedCommands(registration.registerOptions as ExecuteCommandOptions, owned),
          }
        : registration,
    ),
  };
}

/** Commands of a `workspace/executeCommand` registration (to know what the server supports). */
export function registeredCommands(params: RegistrationParams): string[] {
  return params.registrations
    .filter((registration) => registration.method === EXECUTE_COMMAND_METHOD)
    .flatMap((registration) => (registration.registerOptions as ExecuteCommandOptions | undefined)?.commands ?? []);
}

function isServerSettingKey(key: string): key is ServerSettingKey {
  return (SERVER_SETTING_KEYS as readonly string[]).includes(key);
}

/**
 * Answers a `workspace/configuration` request: items for the `attune` section
 * (or one of its server settings) get the extension's settings, password
 * included; any other item keeps the answer VS Code gave (`defaults`).
 */
export async function answerConfiguration(
  items: readonly ConfigurationItem[],
  defaults: readonly unknown[],
  settingsFor: (scopeUri: string | undefined) => Promise<ServerSettings>,
): Promise<unknown[]> {
  return Promise.all(
    items.map(async (item, index) => {
      const section = item.section ?? undefined;
      const scopeUri = item.scopeUri ?? undefined;
      if (section === SECTION) {
        return settingsFor(scopeUri);
      }
      if (section !== undefined && section.startsWith(`${SECTION}.`)) {
        const key = section.slice(SECTION.length + 1);
        if (isServerSettingKey(key)) {
          return (await settingsFor(scopeUri))[key];
        }
      }
      return defaults[index] ?? null;
    }),
  );
}
