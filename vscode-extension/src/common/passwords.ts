/**
 * Database passwords in VS Code's SecretStorage, one per `user@host:port` of
 * the database URL (see `credentialTarget`). Takes the storage as an
 * interface, so it is tested with a map.
 */

import { passwordSecretKey } from './databaseUrl';

/** The part of `vscode.SecretStorage` used here. */
export interface SecretStore {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}

export class PasswordStore {
  // Every password this session has seen, so log channels can mask them even
  // after they were changed or cleared.
  private readonly seen = new Set<string>();

  constructor(private readonly secrets: SecretStore) {}

  /** The stored password for the URL's user and host, if any. */
  async get(databaseUrl: string): Promise<string | undefined> {
    const key = passwordSecretKey(databaseUrl);
    if (key === undefined) {
      return undefined;
    }
    const password = await this.secrets.get(key);
    if (!password) {
      return undefined;
    }
    this.seen.add(password);
    return password;
  }

  /** Stores the password; false when the URL is not one a password can be bound to. */
  async set(databaseUrl: string, password: string): Promise<boolean> {
    const key = passwordSecretKey(databaseUrl);
    if (key === undefined) {
      return false;
    }
    this.seen.add(password);
    await this.secrets.store(key, password);
    return true;
  }

  /** Forgets the password for the URL's user and host; false when there was none. */
  async clear(databaseUrl: string): Promise<boolean> {
    const key = passwordSecretKey(databaseUrl);
    if (key === undefined) {
      return false;
    }
    const existing = await this.secrets.get(key);
    if (existing) {
      this.seen.add(existing);
    }
    await this.secrets.delete(key);
    return Boolean(existing);
  }

  /** The passwords to mask in log lines. */
  secretsToMask(): Iterable<string> {
    return this.seen;
  }
}
