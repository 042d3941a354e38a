// Turns the files of crds/ into the Helm chart's templates/crds/*.yaml, so the chart installs exactly what
// crds/ holds: each object behind `crds.enabled`, labelled like the rest of the release, annotated
// `helm.sh/resource-policy: keep` when `crds.keep`, and the admission policy's manager identity rendered for
// the release's namespace and ServiceAccount.
import { DEFAULT_MANAGER_USERNAME, type RenderedFile } from '../libs/crds/src';

/** Stands for the manager's identity in the admission policy until the chart fills it in. */
export const MANAGER_USERNAME_PLACEHOLDER = 'system:serviceaccount:KEELSON-NAMESPACE:KEELSON-SERVICE-ACCOUNT';

const TEMPLATE_HEADER = '{{- /* Generated from libs/crds/src by `npm run crds`. Do not edit; a test fails when this file drifts. */}}\n';

/** The metadata block the chart adds to every object: its labels and, when asked, the keep annotation. */
const METADATA_ADDITIONS = [
  '  labels:',
  '    {{- include "keelson.labels" (dict "root" $ "component" "crds") | nindent 4 }}',
  '  {{- if .Values.crds.keep }}',
  '  annotations:',
  '    helm.sh/resource-policy: keep',
  '  {{- end }}',
].join('\n');

/** `{{` and `}}` in a description would be read as template actions; Helm prints them back literally this way. */
function escapeTemplateActions(yaml: string): string {
  return yaml.replace(/\{\{|\}\}/g, (braces) => `{{ "${braces}" }}`);
}

function withMetadataAdditions(document: string): string {
  const named = /^metadata:\n {2}name: [^\n]+\n/m;
  if (!named.test(document)) throw new Error(`a generated manifest has no "metadata:\\n  name:" block to label:\n${document.slice(0, 200)}`);
  return document.replace(named, (block) => `${block}${METADATA_ADDITIONS}\n`);
}

/**
 * The chart template of one file of crds/. `file.yaml` must have been rendered with the manager username
 * MANAGER_USERNAME_PLACEHOLDER (for the admission policy; CRDs do not name it).
 */
export function chartCrdTemplate(file: RenderedFile): RenderedFile {
  if (file.yaml.includes(DEFAULT_MANAGER_USERNAME)) {
    throw new Error(`${file.file} names the default manager identity: render it with MANAGER_USERNAME_PLACEHOLDER`);
  }
  const body = file.yaml.split('\n').filter((line) => !line.startsWith('#')).join('\n');
  const documents = escapeTemplateActions(body).split(/^---\n/m).map(withMetadataAdditions);
  // Namespace and ServiceAccount names are DNS names (the schema checks the ServiceAccount's), so they need no
  // escaping inside the CEL string literal.
  const templated = documents.join('---\n').replaceAll(
    MANAGER_USERNAME_PLACEHOLDER,
    'system:serviceaccount:{{ .Release.Namespace }}:{{ include "keelson.serviceAccountName" . }}',
  );
  return { file: file.file, yaml: `${TEMPLATE_HEADER}{{- if .Values.crds.enabled }}\n${templated.trimEnd()}\n{{- end }}\n` };
}
