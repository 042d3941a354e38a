// A delivery answered with a 4xx or 5xx: the status and a message safe to show the sender (no secret, no body).
export class HookError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'HookError';
  }
}
