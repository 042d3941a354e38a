import fc from 'fast-check';
import { matchesSelector, parseLabelSelector, SelectorError } from './label-selector';

describe('parseLabelSelector and matchesSelector', () => {
  const labels = { app: 'web', tier: 'front', 'keelson.dev/pipeline': 'web' };
  const matches = (s: string, l: Record<string, string> = labels) => matchesSelector(parseLabelSelector(s), l);

  it.each<[string, boolean]>([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app=api', false],
    ['tier in (front, back)', true],
    ['tier notin (front)', false],
    ['missing notin (x)', true],
    ['keelson.dev/pipeline=web,app', true],
    ['!tier', false],
    ['!missing', true],
    [' app = web , tier in(front) ', true],
    ['app=', false],
  ])('%p matches the labels: %p', (selector, expected) => {
    expect(matches(selector)).toBe(expected);
  });

  it('treats a missing label as an empty set of labels', () => {
    expect(matchesSelector(parseLabelSelector('app'), undefined)).toBe(false);
    expect(matchesSelector(parseLabelSelector('!app'), undefined)).toBe(true);
  });

  it.each(['app=web,', 'app in web', 'app in (a', 'Bad Key=x', 'app=has space', 'app>3', `app=${'v'.repeat(64)}`, 'UPPER.example.com/x=y', '=web'])(
    'refuses %p', (selector) => {
      expect(() => parseLabelSelector(selector)).toThrow(SelectorError);
    },
  );

  it('refuses a selector longer than 4096 characters', () => {
    expect(() => parseLabelSelector(`a=${'b,a=b'.repeat(1000)}`)).toThrow(/longer than/);
  });

  it('never throws anything but a SelectorError on arbitrary input', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => {
      try {
        parseLabelSelector(s);
      } catch (err) {
        if (!(err instanceof SelectorError)) throw err;
      }
    }));
  });

  it('does not take inherited properties for labels', () => {
    expect(matches('constructor', {})).toBe(false);
    expect(matches('toString=x', {})).toBe(false);
  });
});
