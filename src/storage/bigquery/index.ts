export { bigQueryClient, createBigQueryStorage, type BigQueryStorage, type BigQueryStorageOptions } from './bigquery-storage.js';
