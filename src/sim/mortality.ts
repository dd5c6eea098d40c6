/**
 * Age-specific mortality of the rural elderly (annual probability of dying, both sexes), after China's 2015
 * life tables; men die at about 1.3 times, women at about 0.75 times these rates.
 */
export const MORTALITY_BANDS: readonly { readonly from: number; readonly to: number; readonly q: number }[] =
  [
    { from: 0, to: 59, q: 0.005 },
    { from: 60, to: 64, q: 0.0085 },
    { from: 65, to: 69, q: 0.0135 },
    { from: 70, to: 74, q: 0.0245 },
    { from: 75, to: 79, q: 0.042 },
    { from: 80, to: 84, q: 0.072 },
    { from: 85, to: 89, q: 0.125 },
    { from: 90, to: 94, q: 0.205 },
    { from: 95, to: 200, q: 0.31 },
  ];

export const SEX_MORTALITY_FACTOR = { M: 1.3, F: 0.75 } as const;

/** Annual probability of death at an age (whole years) for a sex. */
export function annualDeathProbability(age: number, sex: 'M' | 'F'): number {
  const band = MORTALITY_BANDS.find((b) => age >= b.from && age <= b.to) ?? MORTALITY_BANDS.at(-1)!;
  return Math.min(0.95, band.q * SEX_MORTALITY_FACTOR[sex]);
}

/** The probability of dying within one month at that annual probability. */
export function monthlyDeathProbability(annual: number): number {
  return 1 - (1 - annual) ** (1 / 12);
}
