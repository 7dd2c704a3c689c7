/** How the answer of a server command is shown to the user. */

/**
 * The one-line message for a command's result: the server's own text when it
 * gives one (a string, or an object with `message`), else "<title>: done.".
 */
export function describeCommandResult(title: string, result: unknown): string {
  if (typeof result === 'string' && result.trim() !== '') {
    return result.trim();
  }
  if (result !== null && typeof result === 'object' && 'message' in result) {
    const message = result.message;
    if (typeof message === 'string' && message.trim() !== '') {
      return message.trim();
    }
  }
  return `${title}: done.`;
}

/** True when the result says the command did not succeed (`{ ok: false }` or `{ success: false }`). */
export function isFailedResult(result: unknown): boolean {
  if (result === null || typeof result !== 'object') {
    return false;
  }
  const record = result as Record<string, unknown>;
  return record.ok === false || record.success === false;
}

/** True when the server already showed the result to the user (`{ shown: true }`). */
export function wasShownByServer(result: unknown): boolean {
  return result !== null && typeof result === 'object' && (result as Record<string, unknown>).shown === true;
}
