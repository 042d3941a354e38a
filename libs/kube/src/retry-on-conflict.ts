import { isConflict } from './kube-errors';

/**
 * Runs `attempt` again while it fails with 409 Conflict, as client-go's RetryOnConflict: the attempt must
 * re-read the object each time, so every retry decides on fresh state.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, { attempts = 5, delayMs = 10 } = {}): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!isConflict(err) || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, delayMs * i * (0.5 + Math.random())));
    }
  }
}
