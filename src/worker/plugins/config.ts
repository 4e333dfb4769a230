/**
 * @module worker/plugins/config
 * Decorates the validated `config` (parsed once by the entry point, passed in as an option).
 */
import fp from 'fastify-plugin';
import type { Config } from '../../../config/env.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
  }
}

export interface ConfigPluginOptions {
  config: Config;
}

export default fp<ConfigPluginOptions>(
  async (app, opts) => {
    app.decorate('config', opts.config);
  },
  { name: 'config', fastify: '5.x' },
);
