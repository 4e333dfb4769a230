/** What a CLI command may touch: its output streams, the environment and the working directory. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  cwd: string;
}
