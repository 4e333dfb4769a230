/**
 * @module cli/help
 * `--help` for every command and sub-command. Each command module exports `help: CommandHelp`
 * (its sub-commands under `sub`); `formatHelp` renders one page: usage, what it does, every flag
 * with its default, and an example. test/cli/help.test.ts checks every command and sub-command
 * answers `--help` with flags and an example.
 */

/** One flag: name as typed (`--days <n>`), default ('' = none / required) and meaning. */
export interface FlagHelp {
  flag: string;
  default?: string;
  text: string;
}

export interface CommandHelp {
  usage: string;
  summary: string;
  flags?: readonly FlagHelp[];
  /** One or more example command lines. */
  example: string | readonly string[];
  /** Sub-commands by name (registry list, demo seed, …). */
  sub?: Readonly<Record<string, CommandHelp>>;
}

/** Flags every command accepts (parsed by src/cli/index.ts before the command runs). */
export const GLOBAL_FLAGS: readonly FlagHelp[] = [
  {
    flag: '--env-file <path>',
    default: 'config/local.env when it exists (local mode)',
    text: 'read configuration from this dotenv file, as the worker does (`npm start`); variables already set in the environment win',
  },
  { flag: '--no-env-file', text: 'read no env file, only the environment (e.g. production settings already exported)' },
  { flag: '--help, -h', text: 'this page' },
];

function flagLines(flags: readonly FlagHelp[]): string[] {
  const width = Math.max(...flags.map((f) => f.flag.length));
  return flags.map((f) => `  ${f.flag.padEnd(width)}  ${f.text}${f.default ? ` (default: ${f.default})` : ''}`);
}

/** The help page for `cli <command> [<sub>]`. */
export function formatHelp(command: string, help: CommandHelp): string {
  const lines = [`usage: cli ${help.usage}`, '', help.summary, ''];
  if (help.sub) {
    const names = Object.keys(help.sub);
    const width = Math.max(...names.map((n) => n.length));
    lines.push('sub-commands (cli ' + command + ' <sub-command> --help for each):');
    for (const [name, sub] of Object.entries(help.sub)) lines.push(`  ${name.padEnd(width)}  ${sub.summary.split('\n')[0]}`);
    lines.push('');
  }
  if (help.flags && help.flags.length > 0) lines.push('flags:', ...flagLines(help.flags), '');
  lines.push('global flags:', ...flagLines(GLOBAL_FLAGS), '');
  const examples = typeof help.example === 'string' ? [help.example] : help.example;
  lines.push(examples.length > 1 ? 'examples:' : 'example:', ...examples.map((e) => `  npm run --silent cli -- ${e}`), '');
  return lines.join('\n');
}

/** The page for argv after the command name: a sub-command's when it names one, else the command's. */
export function helpFor(command: string, help: CommandHelp, rest: readonly string[]): string {
  const sub = rest.find((a) => !a.startsWith('-'));
  if (help.sub && sub !== undefined && sub in help.sub) return formatHelp(`${command} ${sub}`, help.sub[sub]!);
  return formatHelp(command, help);
}
