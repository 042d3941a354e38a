import { renderJobConfigXml } from './job-config.xml';

describe('renderJobConfigXml', () => {
  const xml = renderJobConfigXml({ description: 'a & b', jenkinsfile: "echo '<x>' && y\n", buildsToKeep: 7 });

  it('is a sandboxed pipeline job running the Jenkinsfile', () => {
    expect(xml).toContain('<flow-definition plugin="workflow-job">');
    expect(xml).toContain('<definition class="org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition" plugin="workflow-cps">');
    expect(xml).toContain('<sandbox>true</sandbox>');
  });

  it('declares the EXECUTION_ID string parameter in the job, not only in the script', () => {
    expect(xml).toMatch(/<hudson\.model\.StringParameterDefinition>\s*<name>EXECUTION_ID<\/name>/);
  });

  it('escapes the script and the description as XML text', () => {
    expect(xml).toContain('<script>echo &apos;&lt;x&gt;&apos; &amp;&amp; y\n</script>');
    expect(xml).toContain('<description>a &amp; b</description>');
  });

  it('keeps a bounded number of builds', () => {
    expect(xml).toContain('<numToKeep>7</numToKeep>');
  });
});
