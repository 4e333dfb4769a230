export { openDuckDbStorage, type DuckDbStorageOptions } from './duckdb-storage.js';
