// Wakes the live readers of a step in this process as soon as the archiver stored new bytes for it. Readers in
// other replicas poll the store instead; nothing but "something changed" goes through here.
import { EventEmitter } from 'node:events';
import { stepPrefix, type StepLogRef } from '@keelson/logs';

export class LogEvents {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  stored(ref: StepLogRef): void {
    this.emitter.emit(stepPrefix(ref));
  }

  /** Calls `listener` whenever the step's log changed; returns the unsubscribe. */
  watch(ref: StepLogRef, listener: () => void): () => void {
    const key = stepPrefix(ref);
    this.emitter.on(key, listener);
    return () => this.emitter.off(key, listener);
  }
}
