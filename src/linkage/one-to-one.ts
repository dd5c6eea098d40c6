/**
 * How links are restricted:
 * - `none`: every pair above the threshold;
 * - `left`: each left record keeps its best right record (a death record links to at most one beneficiary,
 *   while a beneficiary may gather death records from several sources);
 * - `both`: greedy one-to-one by weight: the heaviest pair first, each id used once on either side.
 */
export const ONE_TO_ONE_MODES = ['none', 'left', 'both'] as const;
export type OneToOne = (typeof ONE_TO_ONE_MODES)[number];

export interface ScoredPairs {
  readonly left: ArrayLike<number>;
  readonly right: ArrayLike<number>;
  readonly weight: ArrayLike<number>;
  readonly count: number;
}

/**
 * Picks the links: pairs at or above `minimumWeight`, restricted as `mode` says. Returns pair indexes, heaviest
 * first (ties by left then right index, so the choice is deterministic).
 * @example selectLinks({ left, right, weight, count }, 'both', 0)
 */
export function selectLinks(pairs: ScoredPairs, mode: OneToOne, minimumWeight: number): number[] {
  const above: number[] = [];
  for (let i = 0; i < pairs.count; i++) if (pairs.weight[i]! >= minimumWeight) above.push(i);
  above.sort(
    (x, y) =>
      pairs.weight[y]! - pairs.weight[x]! ||
      pairs.left[x]! - pairs.left[y]! ||
      pairs.right[x]! - pairs.right[y]!,
  );
  if (mode === 'none') return above;
  const usedLeft = new Set<number>();
  const usedRight = new Set<number>();
  const chosen: number[] = [];
  for (const i of above) {
    const l = pairs.left[i]!;
    const r = pairs.right[i]!;
    if (usedLeft.has(l)) continue;
    if (mode === 'both' && usedRight.has(r)) continue;
    usedLeft.add(l);
    usedRight.add(r);
    chosen.push(i);
  }
  return chosen;
}
