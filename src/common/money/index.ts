export * from './decimal.js';
export * from './rounding.js';
export * from './assets.js';
export * from './amount.js';
