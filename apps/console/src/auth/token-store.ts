// The bearer token: kept in memory and in sessionStorage (gone when the tab closes), never in a cookie or a URL.
const KEY = 'keelson.token';

type Listener = (token: string | undefined) => void;

export class TokenStore {
  private token: string | undefined;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly storage: Storage | undefined = safeSessionStorage()) {
    this.token = storage?.getItem(KEY) ?? undefined;
  }

  get(): string | undefined {
    return this.token;
  }

  set(token: string): void {
    const trimmed = token.trim().replace(/^Bearer\s+/i, '');
    if (!trimmed) throw new Error('token: empty');
    this.token = trimmed;
    this.storage?.setItem(KEY, trimmed);
    this.emit();
  }

  clear(): void {
    if (this.token === undefined) return;
    this.token = undefined;
    this.storage?.removeItem(KEY);
    this.emit();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const l of this.listeners) l(this.token);
  }
}

function safeSessionStorage(): Storage | undefined {
  try {
    return typeof sessionStorage === 'undefined' ? undefined : sessionStorage;
  } catch {
    return undefined; // storage disabled by the browser: the token lives in memory only
  }
}
