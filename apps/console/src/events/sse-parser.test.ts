import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from './sse-parser';

function parse(chunks: string[], lastEventId?: string): { events: SseEvent[]; parser: SseParser } {
  const events: SseEvent[] = [];
  const parser = new SseParser((e) => events.push(e), lastEventId);
  for (const c of chunks) parser.push(c);
  return { events, parser };
}

describe('SseParser', () => {
  it('dispatches events with type, data and id, and ignores comments', () => {
    const { events } = parse([': keep-alive\n\nid: 10\nevent: SUBSCRIBED\ndata: {"a":1}\n\nid: 11\nevent: MODIFIED\ndata: {"b":2}\n\n']);
    expect(events).toEqual([
      { event: 'SUBSCRIBED', data: '{"a":1}', id: '10' },
      { event: 'MODIFIED', data: '{"b":2}', id: '11' },
    ]);
  });

  it('joins multi-line data with newlines and defaults the type to message', () => {
    expect(parse(['data: one\ndata: two\ndata\n\n']).events).toEqual([{ event: 'message', data: 'one\ntwo\n', id: undefined }]);
  });

  it('gives the same events however the text is cut, CRLF split between chunks included', () => {
    const text = 'id: 1\r\nevent: ADDED\r\ndata: x\r\n\r\nid: 2\rdata: y\r\rdata:z\n\n';
    const whole = parse([text]).events;
    expect(whole).toEqual([
      { event: 'ADDED', data: 'x', id: '1' },
      { event: 'message', data: 'y', id: '2' },
      { event: 'message', data: 'z', id: '2' },
    ]);
    for (let cut = 1; cut < text.length; cut++) {
      expect(parse([text.slice(0, cut), text.slice(cut)]).events).toEqual(whole);
    }
    expect(parse(text.split('')).events).toEqual(whole);
  });

  it('keeps the last id across events, starts from the given one, and does not dispatch an event without data', () => {
    const { events, parser } = parse(['event: BOOKMARK\n\nid: 7\n\ndata: a\n\n'], '5');
    expect(events).toEqual([{ event: 'message', data: 'a', id: '7' }]);
    expect(parser.lastEventId).toBe('7');
    expect(parse([], '5').parser.lastEventId).toBe('5');
  });

  it('holds an unfinished event until its blank line arrives', () => {
    const { events, parser } = parse(['data: half']);
    expect(events).toHaveLength(0);
    parser.push('\n\n');
    expect(events).toEqual([{ event: 'message', data: 'half', id: undefined }]);
  });

  it('reads retry and ignores unknown fields and ids with NUL', () => {
    const { events, parser } = parse(['retry: 3000\nfoo: bar\nid: a\0b\ndata: d\n\n']);
    expect(parser.retry).toBe(3000);
    expect(events).toEqual([{ event: 'message', data: 'd', id: undefined }]);
  });
});
