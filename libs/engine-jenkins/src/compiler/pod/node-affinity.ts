// Preferred (never required) node affinity to the nodes earlier runs used, so a build lands where its cache
// is warm when the scheduler can, and anywhere else when it cannot (DESIGN §5).
import type { RecentNode } from '../compile-input.types';
import type { NodeAffinity, PreferredSchedulingTerm } from './pod.types';

const MAX_WEIGHT = 100;
const HARD_CAP = 100;

/**
 * Weights for `count` nodes, newest first: halving with age (the newest node is clearly preferred) but never
 * below `count - i`, so the weights stay strictly decreasing and within 1..100.
 */
export function recentNodeWeights(count: number): number[] {
  const n = Math.min(count, HARD_CAP);
  return Array.from({ length: n }, (_, i) => Math.max(n - i, Math.round(MAX_WEIGHT / 2 ** i)));
}

/** Newest first, one entry per node (its newest use), at most `limit`. Unparseable times sort last. */
export function orderRecentNodes(nodes: RecentNode[], limit: number): string[] {
  const time = (n: RecentNode): number => {
    const t = Date.parse(n.lastUsed);
    return Number.isNaN(t) ? -Infinity : t;
  };
  const sorted = nodes
    .map((node, index) => ({ node, index }))
    .sort((a, b) => time(b.node) - time(a.node) || a.index - b.index)
    .map((x) => x.node.name);
  return [...new Set(sorted.filter((name) => name.length > 0))].slice(0, Math.min(limit, HARD_CAP));
}

/**
 * `matchFields` on `metadata.name` rather than the `kubernetes.io/hostname` label: the status records node
 * names, and on some clouds the hostname label differs from the node name.
 */
export function recentNodesAffinity(nodes: RecentNode[], limit: number): NodeAffinity | undefined {
  const names = orderRecentNodes(nodes, limit);
  if (names.length === 0) return undefined;
  const weights = recentNodeWeights(names.length);
  const terms: PreferredSchedulingTerm[] = names.map((name, i) => ({
    weight: weights[i],
    preference: { matchFields: [{ key: 'metadata.name', operator: 'In', values: [name] }] },
  }));
  return { preferredDuringSchedulingIgnoredDuringExecution: terms };
}
