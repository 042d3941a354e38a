import { diagnosticReport } from './diagnostic-report';

describe('diagnosticReport', () => {
  it('answers this process\'s stacks and usage without its environment or command line', () => {
    process.env.KEELSON_DEBUG_REPORT_CANARY = 'canary-secret-value-0b7f';
    try {
      const report = diagnosticReport();
      expect(report).toEqual(expect.objectContaining({
        javascriptStack: expect.any(Object), nativeStack: expect.any(Array), javascriptHeap: expect.any(Object), resourceUsage: expect.any(Object),
      }));
      expect(report).not.toHaveProperty('environmentVariables');
      expect(report.header).toMatchObject({ commandLine: '[withheld]', processId: process.pid });
      expect(JSON.stringify(report)).not.toContain('canary-secret-value-0b7f');
    } finally {
      delete process.env.KEELSON_DEBUG_REPORT_CANARY;
    }
  });

  it('leaves the report it was given unchanged', () => {
    const original = { header: { commandLine: ['node', '--secret=x'] }, environmentVariables: { A: 'b' }, nativeStack: [] };
    expect(diagnosticReport(() => original)).toEqual({ header: { commandLine: '[withheld]' }, nativeStack: [] });
    expect(original.environmentVariables).toEqual({ A: 'b' });
  });
});
