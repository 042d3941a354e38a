import { Type, TSchema, TUnsafe, ObjectOptions, TProperties } from '@sinclair/typebox';

// Building blocks that keep every schema *structural* in the Kubernetes sense: no anyOf of literals (enums are
// `enum`), quantities are int-or-string, lists of conditions are maps keyed by type.

export const GROUP = 'devops.keelson.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** DNS-1123 label/subdomain: what a name referring to another object must look like. */
export const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$';

export function StringEnum<T extends string>(values: readonly T[], options: { description?: string; default?: T } = {}): TUnsafe<T> {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...options });
}

/** A Kubernetes resource quantity (`500m`, `2Gi`, `1`). */
export function Quantity(description: string): TUnsafe<string | number> {
  return Type.Unsafe<string | number>({
    'x-kubernetes-int-or-string': true,
    // Kubernetes accepts int-or-string only in exactly this shape, with any pattern outside the anyOf.
    anyOf: [{ type: 'integer' }, { type: 'string' }],
    pattern: '^[0-9]+(\\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$',
    description,
  });
}

/** An object kept as is: the apiserver neither prunes nor validates inside it. */
export function OpaqueObject(description: string): TUnsafe<Record<string, unknown>> {
  return Type.Unsafe<Record<string, unknown>>({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true, description });
}

export function Timestamp(description: string) {
  return Type.String({ format: 'date-time', description });
}

export function Obj<T extends TProperties>(properties: T, description: string, options: ObjectOptions = {}) {
  return Type.Object(properties, { description, ...options });
}

/** A reference to an object of ours in the same namespace. */
export function LocalRef(description: string) {
  return Obj({ name: Type.String({ pattern: DNS_SUBDOMAIN, maxLength: 253, description: 'Name of the object.' }) }, description);
}

/** A key of a Secret in the same namespace: how specs point at credentials without holding them. */
export function SecretKeyRef(description: string, defaultKey: string) {
  return Obj({
    name: Type.String({ pattern: DNS_SUBDOMAIN, maxLength: 253, description: 'Name of the Secret.' }),
    key: Type.String({ pattern: '^[-._a-zA-Z0-9]+$', maxLength: 253, default: defaultKey, description: 'Key within the Secret.' }),
  }, description);
}

export const ConditionStatus = ['True', 'False', 'Unknown'] as const;

/** metav1.Condition, as Kubernetes API conventions define it. */
export const Condition = Obj({
  type: Type.String({ pattern: '^[A-Z][A-Za-z0-9]*$', maxLength: 316, description: 'CamelCase condition type, e.g. Ready.' }),
  status: StringEnum(ConditionStatus, { description: 'True, False or Unknown.' }),
  reason: Type.String({ pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$', maxLength: 1024, description: 'CamelCase reason for the last transition.' }),
  message: Type.String({ maxLength: 32768, description: 'Human-readable detail.' }),
  observedGeneration: Type.Optional(Type.Integer({ minimum: 0, description: 'Generation the condition was computed from.' })),
  lastTransitionTime: Timestamp('When the status last changed.'),
}, 'A condition of the object, with one writer per type.');

export function Conditions() {
  return Type.Unsafe<Array<import('@sinclair/typebox').Static<typeof Condition>>>({
    ...Type.Array(Condition, { maxItems: 32 }),
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
    description: 'Conditions, one per type.',
  });
}

/** One CEL rule of a CRD field (`x-kubernetes-validations`): the apiserver refuses the object with `message`. */
export interface CelRule {
  rule: string;
  message: string;
}

/** Schema options that attach CEL rules to a field; spread into the field's TypeBox options. */
export function Rules(...rules: CelRule[]): { 'x-kubernetes-validations': CelRule[] } {
  return { 'x-kubernetes-validations': rules };
}

export const ObservedGeneration = Type.Integer({ minimum: 0, description: 'The metadata.generation this status describes.' });

export type { TSchema };
