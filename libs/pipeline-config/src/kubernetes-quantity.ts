// Kubernetes resource quantities (`250m`, `0.5`, `512Mi`, `1e3`), as apimachinery's resource.Quantity parses
// them, without a sign: a request or limit is never negative. One grammar for the schema, the normaliser's
// checks and the Jenkins compiler, which refuses anything else before it reaches the pod YAML.

/** `<digits>[.<digits>] | .<digits>`, then a binary-SI, decimal-SI or decimal-exponent suffix. */
export const KUBERNETES_QUANTITY_PATTERN = '^(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[KMGTPE]i|[numkMGTPE]|[eE][-+]?[0-9]+)?$';

const QUANTITY = new RegExp(KUBERNETES_QUANTITY_PATTERN);

/** What a reader should write instead; used by every error about a quantity. */
export const QUANTITY_HINT = 'expected a Kubernetes quantity: a number with an optional suffix, such as 250m, 0.5, 2, 512Mi or 1Gi';

export function isKubernetesQuantity(value: string): boolean {
  return value.length <= 64 && QUANTITY.test(value);
}

const SUFFIXES: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** The quantity as a number (close enough to compare a request with its limit); undefined when it is not one. */
export function quantityValue(value: string): number | undefined {
  if (!isKubernetesQuantity(value)) return undefined;
  const m = /^([0-9.]+)(.*)$/.exec(value)!;
  const exponent = /^[eE]([-+]?[0-9]+)$/.exec(m[2]);
  const scale = exponent ? 10 ** Number(exponent[1]) : SUFFIXES[m[2]];
  return Number(m[1]) * scale;
}
