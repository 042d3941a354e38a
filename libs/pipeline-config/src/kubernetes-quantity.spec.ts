import { isKubernetesQuantity, quantityValue } from './kubernetes-quantity';

describe('Kubernetes quantities', () => {
  it.each(['1', '0', '250m', '0.5', '.5', '5.', '1.5Gi', '512Mi', '2k', '100n', '3u', '1e3', '1E-2', '12e+3', '1Ei'])('accepts %s', (q) => {
    expect(isKubernetesQuantity(q)).toBe(true);
  });

  it.each(['', '-1', '+1', '1GB', '1gi', '1 Gi', 'Gi', '1.2.3', '1Mi\n', "1'", '1"', '1\nevil: x', '${CICD_CPU}', 'Infinity', 'NaN', '1e', '1'.repeat(65)])('refuses %j', (q) => {
    expect(isKubernetesQuantity(q)).toBe(false);
  });

  it('values quantities closely enough to compare a request with its limit', () => {
    expect(quantityValue('250m')).toBeCloseTo(0.25);
    expect(quantityValue('1Gi')).toBe(2 ** 30);
    expect(quantityValue('1536Mi')! < quantityValue('2Gi')!).toBe(true);
    expect(quantityValue('1e3')).toBe(1000);
    expect(quantityValue('1G')).toBe(1e9);
    expect(quantityValue('x')).toBeUndefined();
  });
});
