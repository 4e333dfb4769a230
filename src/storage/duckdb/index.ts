export { openDuckDbStorage, type DuckDbStorageOptions } from './duckdb-storage.js';
export { openDuckDbStorageThread } from './storage-thread.js';
