// `${CICD_*}` substitution. Only `${CICD_NAME}` is touched: other `${...}` text (a manifest's own templating)
// passes through. An unknown CICD name is an error naming the field rather than an empty string, because a
// silently empty image tag or namespace is exactly the Rancher default-tag bug this project set out to fix.

import { PipelineConfigError } from './pipeline-config.errors';

const REFERENCE = /\$\{(CICD_[A-Za-z0-9_]*)\}/g;

/** Names of the `${CICD_*}` references in a text, in order, with their offsets. */
export function cicdReferences(text: string): Array<{ name: string; index: number }> {
  return [...text.matchAll(REFERENCE)].map((m) => ({ name: m[1], index: m.index ?? 0 }));
}

/** Replaces every `${CICD_*}`; throws ConfigSubstitution naming `field` when a name has no value. */
export function substituteCicd(text: string, vars: Readonly<Record<string, string>>, field: string): string {
  return text.replace(REFERENCE, (_match, name: string) => {
    const value = vars[name];
    if (value === undefined) {
      throw new PipelineConfigError('ConfigSubstitution', `${field}: \${${name}} is not set for this step`);
    }
    return value;
  });
}
