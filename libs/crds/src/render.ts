import { stringify } from 'yaml';
import { CrdDefinition } from './crd-definition';
import { GROUP, VERSION } from './schema-types';
import { ALL_KINDS } from './kinds';
import { DEFAULT_MANAGER_USERNAME, executionAdmissionPolicy } from './execution-admission';

/** TypeBox marks schemas with symbol keys; a JSON round trip leaves the plain OpenAPI v3 object. */
function plain<T>(schema: T): T {
  return JSON.parse(JSON.stringify(schema));
}

export function customResourceDefinition(def: CrdDefinition): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${def.plural}.${GROUP}` },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: { kind: def.kind, listKind: `${def.kind}List`, plural: def.plural, singular: def.singular, shortNames: def.shortNames, categories: ['keelson'] },
      versions: [{
        name: VERSION,
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: def.printerColumns,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            description: def.description,
            required: ['spec'],
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              metadata: { type: 'object' },
              spec: plain(def.spec),
              status: plain(def.status),
            },
          },
        },
      }],
    },
  };
}

export const GENERATED_HEADER = '# Generated from libs/crds/src by `npm run crds`. Do not edit; a test fails when this file drifts.\n';

export interface RenderedFile {
  file: string;
  yaml: string;
}

/** File name and YAML text of every CRD, as committed in crds/. */
export function renderCrdFiles(): RenderedFile[] {
  return ALL_KINDS.map((def) => ({
    file: `${GROUP}_${def.plural}.yaml`,
    yaml: GENERATED_HEADER + stringify(customResourceDefinition(def), { lineWidth: 0 }),
  }));
}

/** The admission policy and its binding, as one multi-document file, for the manager identity given. */
export function renderAdmissionFile(managerUsername = DEFAULT_MANAGER_USERNAME): RenderedFile {
  return {
    file: `${GROUP}_admission.yaml`,
    yaml: GENERATED_HEADER + executionAdmissionPolicy(managerUsername).map((doc) => stringify(doc, { lineWidth: 0 })).join('---\n'),
  };
}

export interface RenderOptions {
  /** The manager's `request.userInfo.username` (default: the ServiceAccount keelson-manager in keelson-system). */
  managerUsername?: string;
}

/** Everything in crds/: the CRDs and the admission policy. */
export function renderManifestFiles(options: RenderOptions = {}): RenderedFile[] {
  return [...renderCrdFiles(), renderAdmissionFile(options.managerUsername)];
}
