// Node's diagnostic report (process.report) as the debug endpoint answers it: JS and native stacks, heap and
// resource usage, libuv handles; never the environment, which holds REDIS_URL, OAUTH_STATE_KEY and the like.

/** Report sections that may carry secrets: the environment (every variable's value). */
const WITHHELD = ['environmentVariables'] as const;

export type DiagnosticReport = Record<string, unknown> & { header?: Record<string, unknown> };

/** The report of this process, without the environment. */
export function diagnosticReport(read: () => object = () => process.report.getReport()): DiagnosticReport {
  const report = { ...(read() as DiagnosticReport) };
  for (const section of WITHHELD) delete report[section];
  // The command line is argv: the manager takes its settings from the environment, but a wrapper could pass one.
  if (report.header) report.header = { ...report.header, commandLine: '[withheld]' };
  return report;
}
