export { COUNTY, PREFECTURE, PROVINCE, TOWNSHIPS } from './county.js';
export { DEATH_SOURCE_MODELS, type DeathSourceModel } from './death-sources.js';
export { annualDeathProbability, MORTALITY_BANDS } from './mortality.js';
export { SURNAME_SHARES, surnameShare } from './names.js';
export * from './options.js';
export { createRng, type Rng, seedFor } from './prng.js';
export {
  type FraudScheme,
  type SimulateCountyInput,
  type SimulationProgress,
  type SimulationSummary,
  simulateCounty,
  TRUTH_COLUMNS,
} from './simulate-county.js';
