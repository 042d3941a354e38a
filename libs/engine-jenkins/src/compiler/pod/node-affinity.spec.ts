import fc from 'fast-check';

import { orderRecentNodes, recentNodesAffinity, recentNodeWeights } from './node-affinity';

describe('recent node affinity', () => {
  it('gives strictly decreasing weights within 1..100 for any number of nodes', () => {
    for (let n = 1; n <= 150; n++) {
      const w = recentNodeWeights(n);
      expect(w.length).toBe(Math.min(n, 100));
      expect(w[0]).toBe(100);
      w.forEach((x, i) => {
        expect(x).toBeGreaterThanOrEqual(1);
        expect(x).toBeLessThanOrEqual(100);
        if (i > 0) expect(x).toBeLessThan(w[i - 1]);
      });
    }
  });

  it('halves the preference with each step of age for a handful of nodes', () => {
    expect(recentNodeWeights(5)).toEqual([100, 50, 25, 13, 6]);
  });

  it('orders nodes newest first by last use, keeping each node once at its newest use', () => {
    const nodes = [
      { name: 'old', lastUsed: '2026-01-01T00:00:00Z' },
      { name: 'new', lastUsed: '2026-03-01T00:00:00Z' },
      { name: 'old', lastUsed: '2026-02-15T00:00:00Z' },
      { name: 'broken', lastUsed: 'yesterday' },
    ];
    expect(orderRecentNodes(nodes, 10)).toEqual(['new', 'old', 'broken']);
  });

  it('limits affinity to the configured number of recent nodes', () => {
    const nodes = Array.from({ length: 8 }, (_, i) => ({ name: `n${i}`, lastUsed: `2026-01-0${i + 1}T00:00:00Z` }));
    expect(orderRecentNodes(nodes, 3)).toEqual(['n7', 'n6', 'n5']);
  });

  it('prefers nodes by name with matchFields, never requires them', () => {
    const affinity = recentNodesAffinity([{ name: 'node-a', lastUsed: '2026-01-01T00:00:00Z' }], 5);
    expect(affinity).toEqual({
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 100, preference: { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-a'] }] } },
      ],
    });
    expect(Object.keys(affinity ?? {})).not.toContain('requiredDuringSchedulingIgnoredDuringExecution');
  });

  it('has no affinity for a pipeline that never ran', () => {
    expect(recentNodesAffinity([], 5)).toBeUndefined();
  });

  it('keeps any list of nodes as valid weights', () => {
    fc.assert(fc.property(fc.array(fc.record({ name: fc.string(), lastUsed: fc.string() })), fc.nat(200), (nodes, limit) => {
      const terms = recentNodesAffinity(nodes, limit)?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
      for (const t of terms) expect(t.weight >= 1 && t.weight <= 100).toBe(true);
      expect(terms.length).toBeLessThanOrEqual(Math.min(limit, 100));
    }));
  });
});
