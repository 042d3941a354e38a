import { describe, expect, it } from 'vitest';
import { lineSeverity } from './line-severity';

describe('lineSeverity', () => {
  it('marks error words as errors, warning words as warnings, by whole words (as Next error does)', () => {
    expect(lineSeverity('npm ERR! ERROR: build failed')).toBe('error');
    expect(lineSeverity('\u001b[31mFATAL\u001b[0m x')).toBe('error');
    expect(lineSeverity('npm WARN deprecated inflight@1.0.6')).toBe('warning');
    expect(lineSeverity('warning: unused variable')).toBe('warning');
    for (const none of ['all good', 'terror', 'forewarned', 'errorless']) expect({ none, s: lineSeverity(none) }).toEqual({ none, s: undefined });
  });
});
