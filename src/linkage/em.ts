/**
 * Comparison vectors compressed to distinct patterns with counts: EM then costs O(patterns), not O(pairs).
 * `patterns[p * K + k]` is the level of comparison k in pattern p.
 */
export interface PatternCounts {
  readonly levelCounts: readonly number[];
  readonly nullLevels: readonly (readonly boolean[])[];
  readonly patterns: Uint8Array;
  readonly counts: Float64Array;
  readonly size: number;
}

/** Fellegi–Sunter parameters during EM: m and u per comparison level (missing levels hold 1 and are skipped). */
export interface EmParameters {
  readonly lambda: number;
  readonly m: readonly (readonly number[])[];
  readonly u: readonly (readonly number[])[];
}

export interface EmOptions {
  readonly maxIterations?: number;
  /** Stop when no parameter moves by more than this (default 1e-6). */
  readonly tolerance?: number;
  /** Keep u as given (Splink's default when u comes from random pairs); otherwise u is estimated too. */
  readonly fixU?: boolean;
}

export interface EmResult extends EmParameters {
  readonly iterations: number;
  readonly converged: boolean;
  /** Log-likelihood (natural log) of the data under the final parameters. */
  readonly logLikelihood: number;
}

const FLOOR = 1e-9;

/**
 * Unsupervised Fellegi–Sunter EM (two latent classes, conditional independence) over pattern counts.
 * @example
 * const fit = expectationMaximisation(patterns, { lambda: 0.1, m: initialM, u: uFromRandomPairs });
 * fit.m[0]; // P(level | match) for the first comparison
 */
export function expectationMaximisation(
  data: PatternCounts,
  initial: EmParameters,
  options: EmOptions = {},
): EmResult {
  const maxIterations = options.maxIterations ?? 200;
  const tolerance = options.tolerance ?? 1e-6;
  const fixU = options.fixU ?? false;
  const K = data.levelCounts.length;
  const P = data.size;
  const { patterns, counts, nullLevels } = data;
  let lambda = initial.lambda;
  const m = initial.m.map((levels, k) => normalise(Float64Array.from(levels), nullLevels[k]!));
  const u = initial.u.map((levels, k) => normalise(Float64Array.from(levels), nullLevels[k]!));
  const mNext = m.map((a) => new Float64Array(a.length));
  const uNext = u.map((a) => new Float64Array(a.length));
  const posterior = new Float64Array(P);
  let iterations = 0;
  let converged = false;
  let logLikelihood = Number.NEGATIVE_INFINITY;

  for (; iterations < maxIterations && !converged; iterations++) {
    // E-step: posterior probability of a match for each pattern.
    let matchMass = 0;
    let total = 0;
    logLikelihood = 0;
    for (let p = 0; p < P; p++) {
      let pm = lambda;
      let pu = 1 - lambda;
      const base = p * K;
      for (let k = 0; k < K; k++) {
        const level = patterns[base + k]!;
        pm *= m[k]![level]!;
        pu *= u[k]![level]!;
      }
      const g = pm + pu > 0 ? pm / (pm + pu) : 0;
      posterior[p] = g;
      const c = counts[p]!;
      matchMass += c * g;
      total += c;
      logLikelihood += c * Math.log(Math.max(pm + pu, Number.MIN_VALUE));
    }
    // M-step.
    for (let k = 0; k < K; k++) {
      mNext[k]!.fill(0);
      uNext[k]!.fill(0);
    }
    for (let p = 0; p < P; p++) {
      const c = counts[p]!;
      const g = posterior[p]!;
      const base = p * K;
      for (let k = 0; k < K; k++) {
        const level = patterns[base + k]!;
        mNext[k]![level]! += c * g;
        uNext[k]![level]! += c * (1 - g);
      }
    }
    let change = Math.abs(matchMass / total - lambda);
    lambda = Math.min(Math.max(matchMass / total, FLOOR), 1 - FLOOR);
    for (let k = 0; k < K; k++) {
      change = Math.max(change, update(m[k]!, mNext[k]!, nullLevels[k]!));
      if (!fixU) change = Math.max(change, update(u[k]!, uNext[k]!, nullLevels[k]!));
    }
    converged = change < tolerance;
  }
  return {
    lambda,
    m: m.map((a) => [...a]),
    u: u.map((a) => [...a]),
    iterations,
    converged,
    logLikelihood,
  };
}

/** Normalises over the non-missing levels; missing levels hold 1 so that they drop out of the products. */
function normalise(values: Float64Array, nullLevels: readonly boolean[]): Float64Array {
  let sum = 0;
  for (let l = 0; l < values.length; l++) if (!nullLevels[l]) sum += Math.max(values[l]!, 0);
  for (let l = 0; l < values.length; l++) {
    values[l] = nullLevels[l] ? 1 : sum > 0 ? Math.max(values[l]! / sum, FLOOR) : 1 / values.length;
  }
  return values;
}

/** Replaces `target` by the normalised `mass`, returning the largest change (no change when there is no mass). */
function update(target: Float64Array, mass: Float64Array, nullLevels: readonly boolean[]): number {
  let sum = 0;
  for (let l = 0; l < mass.length; l++) if (!nullLevels[l]) sum += mass[l]!;
  if (sum <= 0) return 0;
  let change = 0;
  for (let l = 0; l < mass.length; l++) {
    if (nullLevels[l]) continue;
    const v = Math.max(mass[l]! / sum, FLOOR);
    change = Math.max(change, Math.abs(v - target[l]!));
    target[l] = v;
  }
  return change;
}

/**
 * A starting m for EM: most of the mass on the first (strongest agreement) level, the rest decreasing.
 * @example initialM([{}, {}, { isNull: true }]) // [0.9, 0.1, 1]
 */
export function initialM(levels: readonly { readonly isNull?: boolean }[]): number[] {
  const nonNull = levels.filter((l) => !l.isNull).length;
  const out: number[] = [];
  let rest = 1;
  let seen = 0;
  for (const level of levels) {
    if (level.isNull) {
      out.push(1);
      continue;
    }
    seen++;
    const share = seen === nonNull ? rest : seen === 1 ? 0.9 : rest * 0.6;
    out.push(share);
    rest -= share;
  }
  return out;
}
