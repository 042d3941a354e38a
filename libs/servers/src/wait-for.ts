/** Polls `check` until it returns true or `timeoutMs` passes; the error says what was awaited. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  { timeoutMs = 60_000, intervalMs = 100, onTimeout }: { timeoutMs?: number; intervalMs?: number; onTimeout?: () => string } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const detail = onTimeout?.() ?? (lastError instanceof Error ? lastError.message : '');
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `:\n${detail}` : ''}`);
}
