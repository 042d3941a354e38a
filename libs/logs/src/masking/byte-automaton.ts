// Aho-Corasick over bytes: finds every occurrence of many literals in one pass, whatever their number, so masking
// a 50 MB log with hundreds of secret forms costs one state transition per byte. The masker needs only, at each
// end position, the longest literal that ends there: shorter ones ending at the same byte lie inside it.

export class ByteAutomaton {
  /** Transitions of the root, dense: most bytes of a log leave the automaton at the root. */
  private readonly root = new Int32Array(256);
  private readonly next: Array<Map<number, number>> = [new Map()];
  private readonly fail: number[] = [0];
  /** Length of the longest literal that is a suffix of the state's path (0: none). */
  private readonly longest: number[] = [0];
  readonly maxLength: number;

  constructor(literals: readonly Buffer[]) {
    let max = 0;
    for (const literal of literals) {
      if (literal.length === 0) continue;
      max = Math.max(max, literal.length);
      let state = 0;
      for (const byte of literal) {
        let to = this.next[state].get(byte);
        if (to === undefined) {
          to = this.next.length;
          this.next.push(new Map());
          this.fail.push(0);
          this.longest.push(0);
          this.next[state].set(byte, to);
        }
        state = to;
      }
      this.longest[state] = Math.max(this.longest[state], literal.length);
    }
    this.maxLength = max;
    this.link();
  }

  get empty(): boolean {
    return this.maxLength === 0;
  }

  /**
   * Ranges `[start, end)` of `data` covered by literals, merged where they overlap or touch, in order. A literal
   * must lie wholly inside `data`.
   */
  ranges(data: Buffer): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    if (this.empty) return out;
    let state = 0;
    for (let i = 0; i < data.length; i++) {
      state = this.step(state, data[i]);
      const length = this.longest[state];
      if (length === 0) continue;
      // A longer literal ending here may reach back over earlier ranges: it swallows them.
      let start = i + 1 - length;
      while (out.length > 0 && start <= out[out.length - 1][1]) start = Math.min(start, (out.pop() as [number, number])[0]);
      out.push([start, i + 1]);
    }
    return out;
  }

  private step(state: number, byte: number): number {
    for (;;) {
      if (state === 0) return this.root[byte];
      const to = this.next[state].get(byte);
      if (to !== undefined) return to;
      state = this.fail[state];
    }
  }

  /** Breadth-first: each state's failure link is the longest proper suffix of its path that is also a path. */
  private link(): void {
    for (const [byte, to] of this.next[0]) this.root[byte] = to;
    const queue: number[] = [...this.next[0].values()];
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head];
      for (const [byte, to] of this.next[state]) {
        this.fail[to] = this.step(this.fail[state], byte);
        this.longest[to] = Math.max(this.longest[to], this.longest[this.fail[to]]);
        queue.push(to);
      }
    }
  }
}
