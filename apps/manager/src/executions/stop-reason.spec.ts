import { stopRequestMessage } from './stop-reason';

describe('stopRequestMessage', () => {
  it('names who stopped the run, quoted, and their reason on one line', () => {
    expect(stopRequestMessage('alice', '  the deploy\n\twindow closed ')).toBe('stopped by "alice": the deploy window closed');
    expect(stopRequestMessage('bob')).toBe('stopped by "bob"');
  });

  it('turns terminal escapes and bidi overrides into spaces: status.reason is printed raw by kubectl', () => {
    const hostile = '\u001b]8;;https://evil\u0007click\u001b]8;;\u0007 \u202Egnp.exe\u202C \u0000\u009b31m';
    const message = stopRequestMessage('mallory', hostile);
    expect(message).toBe('stopped by "mallory": ]8;;https://evil click ]8;; gnp.exe 31m');
    expect(message).not.toMatch(/[\p{Cc}\p{Cf}]/u);
  });
});
