import { FakeClock } from './fake-clock';
import { RealClock } from './clock';

describe('FakeClock', () => {
  it('stands still until advanced', () => {
    const clock = new FakeClock(1_000);
    expect(clock.now()).toBe(1_000);
    clock.advance(250);
    expect(clock.now()).toBe(1_250);
  });

  it('fires timers in due order, each seeing its own due time as now', () => {
    const clock = new FakeClock(0);
    const fired: Array<[string, number]> = [];
    clock.setTimeout(() => fired.push(['late', clock.now()]), 30);
    clock.setTimeout(() => fired.push(['early', clock.now()]), 10);
    clock.setTimeout(() => fired.push(['tie', clock.now()]), 10);
    clock.advance(29);
    expect(fired).toEqual([['early', 10], ['tie', 10]]);
    clock.advance(1);
    expect(fired).toEqual([['early', 10], ['tie', 10], ['late', 30]]);
  });

  it('fires a timer scheduled by a firing timer within the same advance when it falls due', () => {
    const clock = new FakeClock(0);
    const fired: number[] = [];
    clock.setTimeout(() => clock.setTimeout(() => fired.push(clock.now()), 5), 5);
    clock.advance(10);
    expect(fired).toEqual([10]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('never fires a cleared timer and reports the time to the next one', () => {
    const clock = new FakeClock(0);
    const callback = jest.fn();
    const handle = clock.setTimeout(callback, 5);
    clock.setTimeout(() => {}, 8);
    expect(clock.msUntilNextTimer()).toBe(5);
    clock.clearTimeout(handle);
    expect(clock.msUntilNextTimer()).toBe(8);
    clock.advance(100);
    expect(callback).not.toHaveBeenCalled();
    expect(clock.msUntilNextTimer()).toBeUndefined();
  });

  it('refuses to move backwards', () => {
    expect(() => new FakeClock().advance(-1)).toThrow(RangeError);
  });
});

describe('RealClock', () => {
  it('fires a short timer and can cancel one', async () => {
    const clock = new RealClock();
    const cancelled = jest.fn();
    clock.clearTimeout(clock.setTimeout(cancelled, 1));
    await new Promise<void>((resolve) => clock.setTimeout(resolve, 1, { unref: true }));
    await new Promise<void>((resolve) => setTimeout(resolve, 5));
    expect(cancelled).not.toHaveBeenCalled();
  });

  it('chains timers longer than Node allows instead of firing them at once', () => {
    jest.useFakeTimers();
    try {
      const clock = new RealClock();
      const callback = jest.fn();
      const handle = clock.setTimeout(callback, 2 ** 31 + 1_000);
      jest.advanceTimersByTime(2 ** 31 - 1);
      expect(callback).not.toHaveBeenCalled();
      jest.advanceTimersByTime(1_001);
      expect(callback).toHaveBeenCalledTimes(1);
      clock.clearTimeout(handle);
    } finally {
      jest.useRealTimers();
    }
  });
});
