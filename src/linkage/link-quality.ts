export interface LinkQuality {
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/**
 * Precision, recall and F1 of predicted links against true pairs (for evaluation only, never training).
 * @example scoreLinks([['a1', 'b1']], [['a1', 'b1'], ['a2', 'b2']]) // precision 1, recall 0.5
 */
export function scoreLinks(
  predicted: Iterable<readonly [string, string]>,
  truth: Iterable<readonly [string, string]>,
): LinkQuality {
  const truthSet = new Set<string>();
  for (const [l, r] of truth) truthSet.add(`${l}\u0001${r}`);
  const seen = new Set<string>();
  let truePositives = 0;
  for (const [l, r] of predicted) {
    const key = `${l}\u0001${r}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (truthSet.has(key)) truePositives++;
  }
  const falsePositives = seen.size - truePositives;
  const falseNegatives = truthSet.size - truePositives;
  const precision = seen.size === 0 ? 1 : truePositives / seen.size;
  const recall = truthSet.size === 0 ? 1 : truePositives / truthSet.size;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { truePositives, falsePositives, falseNegatives, precision, recall, f1 };
}
