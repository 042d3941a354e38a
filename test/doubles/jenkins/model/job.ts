// A pipeline job (workflow-job WorkflowJob) as its config.xml defines it. Jenkins reads the script when a
// build starts, not when it is queued, so the build takes `script` from the job at that moment.
import type { Build } from './build';
import { childElements, parseXml, textAt, textOf } from '../xml/xml-document.reader';

export interface ParameterDefinition {
  /** XML element name, e.g. hudson.model.StringParameterDefinition. */
  className: string;
  name: string;
  defaultValue: string;
  description: string;
  trim: boolean;
}

export interface ParameterValue {
  name: string;
  value: string;
}

export interface JobConfig {
  description: string;
  disabled: boolean;
  parameters: ParameterDefinition[];
  script?: string;
}

/** @throws XmlSyntaxError on malformed XML, like Jenkins refusing to read it. */
export function readJobConfig(xml: string): JobConfig {
  const doc = parseXml(xml);
  const parameters: ParameterDefinition[] = [];
  for (const props of childElements(doc, 'properties')) {
    for (const pdp of childElements(props, 'hudson.model.ParametersDefinitionProperty')) {
      for (const defs of childElements(pdp, 'parameterDefinitions')) {
        for (const d of childElements(defs)) {
          parameters.push({
            className: d.name, name: textAt(d, 'name') ?? '', defaultValue: textAt(d, 'defaultValue') ?? '',
            description: textAt(d, 'description') ?? '', trim: textAt(d, 'trim') === 'true',
          });
        }
      }
    }
  }
  const definition = childElements(doc, 'definition')[0];
  const script = definition && childElements(definition, 'script')[0];
  return {
    description: textAt(doc, 'description') ?? '',
    disabled: textAt(doc, 'disabled') === 'true',
    parameters,
    script: script && textOf(script),
  };
}

export class Job {
  config: JobConfig;
  nextBuildNumber = 1;
  readonly builds = new Map<number, Build>();

  constructor(readonly name: string, public configXml: string) {
    this.config = readJobConfig(configXml);
  }

  update(xml: string): void {
    this.config = readJobConfig(xml);
    this.configXml = xml;
  }

  get disabled(): boolean {
    return this.config.disabled;
  }

  setDisabled(disabled: boolean): void {
    this.config.disabled = disabled;
    const element = `<disabled>${disabled}</disabled>`;
    this.configXml = /<disabled>\s*\w*\s*<\/disabled>/.test(this.configXml)
      ? this.configXml.replace(/<disabled>\s*\w*\s*<\/disabled>/, element)
      : this.configXml.replace(/<\/flow-definition>\s*$/, `  ${element}\n</flow-definition>\n`);
  }

  get parameterized(): boolean {
    return this.config.parameters.length > 0;
  }

  /** Newest first. */
  runs(): Build[] {
    return [...this.builds.values()].sort((a, b) => b.number - a.number);
  }

  /**
   * Values for a build from request parameters, like each ParameterDefinition.createValue(req): a missing
   * parameter takes its default, parameters the job does not declare are dropped.
   */
  parameterValues(given: (name: string) => string[] | undefined): ParameterValue[] {
    return this.config.parameters.map((d) => {
      const values = given(d.name);
      if (values && values.length !== 1) throw new Error(`Illegal number of parameter values for ${d.name}: ${values.length}`);
      const value = values ? values[0] : d.defaultValue;
      return { name: d.name, value: d.trim ? value.trim() : value };
    });
  }
}
