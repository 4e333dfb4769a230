/** @module synthetic: deterministic synthetic NBA data (league, season, rows) for tests, demo and fixtures. */
export * from './prng.js';
export * from './league.js';
export * from './season.js';
export * from './rows.js';
export * from './csv.js';
