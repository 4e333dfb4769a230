/** What a CLI command may touch: its output streams, the environment and the working directory. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** The dotenv file `env` was read from (src/cli/env-file.ts), relative to cwd; undefined when none. */
  envFile?: string | undefined;
}
