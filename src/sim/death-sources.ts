import type { DeathSource } from '../records/enums.js';

/**
 * How each source records a death: how often it does, how long its record takes to reach the agency (log-normal
 * lag, median and sigma in days), and how often each corruption appears in its records.
 */
export interface DeathSourceModel {
  readonly source: Exclude<DeathSource, 'other'>;
  /** Prefix of its record ids (civil affairs MZ, cremation HH, hospital YX, household register HJ). */
  readonly prefix: string;
  readonly coverage: number;
  readonly lagMedianDays: number;
  readonly lagSigma: number;
  readonly corruption: {
    readonly missingId: number;
    readonly wrongDigit: number;
    readonly transposed: number;
    readonly homophone: number;
    readonly wrongBirthDate: number;
    readonly missingBirthDate: number;
    /** Death registered in another county (died in a city hospital, at a child's home). */
    readonly otherCounty: number;
  };
}

export const DEATH_SOURCE_MODELS: readonly DeathSourceModel[] = [
  {
    source: 'household_register',
    prefix: 'HJ',
    coverage: 0.85,
    lagMedianDays: 45,
    lagSigma: 1.0,
    corruption: {
      missingId: 0.01,
      wrongDigit: 0.005,
      transposed: 0.003,
      homophone: 0.02,
      wrongBirthDate: 0.005,
      missingBirthDate: 0.01,
      otherCounty: 0,
    },
  },
  {
    source: 'civil_affairs',
    prefix: 'MZ',
    coverage: 0.65,
    lagMedianDays: 25,
    lagSigma: 0.8,
    corruption: {
      missingId: 0.1,
      wrongDigit: 0.02,
      transposed: 0.01,
      homophone: 0.05,
      wrongBirthDate: 0.03,
      missingBirthDate: 0.1,
      otherCounty: 0.05,
    },
  },
  {
    source: 'cremation',
    prefix: 'HH',
    coverage: 0.5,
    lagMedianDays: 12,
    lagSigma: 0.6,
    corruption: {
      missingId: 0.35,
      wrongDigit: 0.03,
      transposed: 0.02,
      homophone: 0.1,
      wrongBirthDate: 0.05,
      missingBirthDate: 0.4,
      otherCounty: 0.08,
    },
  },
  {
    source: 'hospital',
    prefix: 'YX',
    coverage: 0.3,
    lagMedianDays: 15,
    lagSigma: 0.9,
    corruption: {
      missingId: 0.15,
      wrongDigit: 0.03,
      transposed: 0.02,
      homophone: 0.06,
      wrongBirthDate: 0.03,
      missingBirthDate: 0.05,
      otherCounty: 0.25,
    },
  },
];

/** Lags are capped at three years: a record that late is as good as never. */
export const MAX_LAG_DAYS = 3 * 365;
