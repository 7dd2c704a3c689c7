/**
 * Keeping the database password out of every line the extension writes.
 *
 * The output and trace channels handed to the language client are wrapped so
 * that whatever reaches them (the client's own log, the server's stderr and
 * log messages, traced JSON-RPC payloads with the initialization options) is
 * masked first.
 */

import { MASK } from './databaseUrl';

/** The forms a secret can take in a log line: raw, percent-encoded, JSON-escaped. */
function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret, encodeURIComponent(secret)]);
  const json = JSON.stringify(secret).slice(1, -1);
  forms.add(json);
  forms.add(JSON.stringify(encodeURIComponent(secret)).slice(1, -1));
  // Longest first, so a form that contains another is masked whole.
  return [...forms].filter((form) => form.length > 0).sort((a, b) => b.length - a.length);
}

// `scheme://user:password@`: a password in any URL, even one not known to the
// extension (typed into the settings, or echoed by the server).
const URL_USERINFO_PASSWORD = /(\b[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s:/?#@"'<>]*:)([^\s/?#@"'<>]+)@/g;
// `password=...` in a query string or a libpq key=value connection string.
const PASSWORD_PARAMETER = /(\bpassword\s*=\s*)('[^']*'|[^\s&#"',;]+)/gi;

/** The text with every known secret and every URL or `password=` password masked. */
export function maskSecrets(text: string, secrets: Iterable<string>): string {
  let result = text;
  for (const secret of secrets) {
    if (!secret) {
      continue;
    }
    for (const form of secretForms(secret)) {
      result = result.split(form).join(MASK);
    }
  }
  return result
    .replace(URL_USERINFO_PASSWORD, `$1${MASK}@`)
    .replace(PASSWORD_PARAMETER, `$1${MASK}`);
}

/** Where the current secrets are read from at each write (they change while the channel lives). */
export type SecretSource = () => Iterable<string>;

function maskValue(value: unknown, secrets: SecretSource): unknown {
  if (typeof value === 'string') {
    return maskSecrets(value, secrets());
  }
  if (value instanceof Error) {
    const masked = new Error(maskSecrets(value.message, secrets()));
    masked.name = value.name;
    if (value.stack !== undefined) {
      masked.stack = maskSecrets(value.stack, secrets());
    }
    return masked;
  }
  return value;
}

/** The methods of an output channel (plain or log) whose arguments are text that ends up on screen. */
const WRITING_METHODS = new Set(['append', 'appendLine', 'replace', 'trace', 'debug', 'info', 'warn', 'error']);

/**
 * A channel that behaves as `target` but masks secrets in everything written
 * to it. Typed generically so it takes a `vscode.LogOutputChannel` as well as a
 * test double.
 */
export function createMaskedChannel<T extends object>(target: T, secrets: SecretSource): T {
  return new Proxy(target, {
    get(object, property) {
      // Read with the target as `this`, so getters reach its own state.
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function') {
        return value;
      }
      const method = value as (...args: unknown[]) => unknown;
      if (typeof property === 'string' && WRITING_METHODS.has(property)) {
        return (...args: unknown[]) => method.apply(object, args.map((arg) => maskValue(arg, secrets)));
      }
      return method.bind(object);
    },
  });
}
