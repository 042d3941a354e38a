import { parsePipelineConfig, formatIssue } from '.';

const step = (body: string) => `stages:\n- name: deploy\n  steps:\n  - applyAppConfig:\n${body}`;

describe('applyAppConfig with Rancher\'s key names', () => {
  it('accepts catalogTemplate, answers and name and normalises them to chart, values and releaseName', () => {
    const result = parsePipelineConfig(step([
      '      catalogTemplate: cattle-global-data:library-mysql',
      '      version: 0.3.8',
      '      answers: {persistence.enabled: "false"}',
      '      name: testmysql',
      '      targetNamespace: test',
    ].join('\n')), { file: '.devops.yml' });
    expect(result.ok && result.config.stages[0].steps[0].config).toEqual({
      chart: 'cattle-global-data:library-mysql', version: '0.3.8', values: { 'persistence.enabled': 'false' },
      releaseName: 'testmysql', targetNamespace: 'test',
    });
  });

  it('refuses a Helm name and its Rancher alias together, naming both and the line', () => {
    const result = parsePipelineConfig(step('      chart: ./chart\n      releaseName: a\n      name: b\n      values: {}\n      answers: {}'), { file: '.devops.yml' });
    expect(result.ok).toBe(false);
    const messages = result.ok ? [] : result.issues.map(formatIssue);
    expect(messages).toContain('.devops.yml:4:5: stages[0].steps[0].applyAppConfig: expected exactly one of releaseName, name; found releaseName and name');
    expect(messages).toContainEqual(expect.stringMatching(/^\.devops\.yml:\d+:\d+: stages\[0\]\.steps\[0\]\.applyAppConfig: expected at most one of values, answers; found values and answers$/));
  });

  it('still requires a chart and a release name under one of their names', () => {
    const result = parsePipelineConfig(step('      version: 1'), { file: '.devops.yml' });
    const messages = result.ok ? [] : result.issues.map(formatIssue).join('\n');
    expect(messages).toContain('expected exactly one of chart, catalogTemplate; found none');
    expect(messages).toContain('expected exactly one of releaseName, name; found none');
  });
});
