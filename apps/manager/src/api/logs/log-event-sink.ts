// A followed step's log as frames of the tab's one event stream (GET /api/v1/events?log=…): `LOG` with whole lines
// and the byte offset after them, `LOG_UNAVAILABLE` while the store does not answer, `LOG_END` once nothing more
// will come. They carry no `id:`: the client's Last-Event-ID stays the resources' position, and it asks for the log
// again from the bytes it has (`logFrom`) when it reconnects.
import type { StepLogRef } from '@keelson/logs';
import type { SseStream } from '../resources/sse-stream';
import type { LogSink } from './log-follower';

export function logEventSink(stream: SseStream, execution: string, ref: StepLogRef): LogSink {
  const which = { namespace: ref.namespace, execution, stage: ref.stage, step: ref.step };
  const send = async (event: string, data: Record<string, unknown>): Promise<boolean> => {
    if (stream.closed) return false;
    if (!stream.send({ event, data: { ...which, ...data } })) await stream.drained();
    return !stream.closed;
  };
  return {
    get closed() {
      return stream.closed;
    },
    onClose: (handler) => stream.onClose(handler),
    text: (text, offset) => send('LOG', { offset, text }),
    unavailable: () => send('LOG_UNAVAILABLE', { reason: 'log temporarily unavailable' }),
    end: async (offset, size, complete) => void (await send('LOG_END', { offset, size, complete })),
  };
}
