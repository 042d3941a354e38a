// The Jenkins job: a sandboxed pipeline (workflow-job) whose script is the generated Jenkinsfile, declaring
// the EXECUTION_ID parameter in config.xml (parameters declared only in a Jenkinsfile are unknown until the
// first run) and keeping a bounded history, since Keelson archives logs itself.
import { xmlText } from './escape';

export const EXECUTION_ID_PARAMETER = 'EXECUTION_ID';
/** Ends the description of every job Keelson makes: what tells its jobs from others in the same Jenkins. */
export const MANAGED_JOB_NOTE = 'Managed by Keelson: changes here are overwritten.';
const DEFAULT_BUILDS_TO_KEEP = 20;

export interface JobConfigInput {
  /** Shown in Jenkins; plain text. */
  description: string;
  jenkinsfile: string;
  buildsToKeep?: number;
}

export function renderJobConfigXml(input: JobConfigInput): string {
  const keep = input.buildsToKeep ?? DEFAULT_BUILDS_TO_KEEP;
  return [
    "<?xml version='1.1' encoding='UTF-8'?>",
    '<flow-definition plugin="workflow-job">',
    `  <description>${xmlText(input.description)}</description>`,
    '  <keepDependencies>false</keepDependencies>',
    '  <properties>',
    '    <jenkins.model.BuildDiscarderProperty>',
    '      <strategy class="hudson.tasks.LogRotator">',
    '        <daysToKeep>-1</daysToKeep>',
    `        <numToKeep>${Math.max(1, Math.floor(keep))}</numToKeep>`,
    '        <artifactDaysToKeep>-1</artifactDaysToKeep>',
    '        <artifactNumToKeep>-1</artifactNumToKeep>',
    '      </strategy>',
    '    </jenkins.model.BuildDiscarderProperty>',
    '    <hudson.model.ParametersDefinitionProperty>',
    '      <parameterDefinitions>',
    '        <hudson.model.StringParameterDefinition>',
    `          <name>${EXECUTION_ID_PARAMETER}</name>`,
    `          <description>${xmlText('PipelineExecution this build runs; set by Keelson.')}</description>`,
    '          <defaultValue></defaultValue>',
    '          <trim>true</trim>',
    '        </hudson.model.StringParameterDefinition>',
    '      </parameterDefinitions>',
    '    </hudson.model.ParametersDefinitionProperty>',
    '  </properties>',
    '  <definition class="org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition" plugin="workflow-cps">',
    `    <script>${xmlText(input.jenkinsfile)}</script>`,
    '    <sandbox>true</sandbox>',
    '  </definition>',
    '  <triggers/>',
    '  <disabled>false</disabled>',
    '</flow-definition>',
    '',
  ].join('\n');
}
