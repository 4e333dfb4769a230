#!/usr/bin/env node
/**
 * @module cli
 * One entry point: `npm run --silent cli -- <command> [args]`. Each command lives in
 * `commands/<command>.ts` and exports `run(argv, io)`; this file only parses the command
 * name, wires stdout/stderr and turns errors into a one-line reason and a non-zero exit.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { describeError, isPwError } from '../errors.js';
import type { CliIo } from './io.js';
import { GLOBAL_FLAGS, helpFor, type CommandHelp } from './help.js';
import { applyEnvFile } from './env-file.js';

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), 'commands');
/** The registry module every worker-side import evaluates; a Python-ism there breaks the import. */
const REGISTRY_MODULE = 'config/monthly-models.ts';

function availableCommands(): string[] {
  return readdirSync(commandsDir)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.includes('.test.'))
    .map((f) => f.replace(/\.(ts|js)$/, ''))
    .sort();
}

type CommandModule = { run: (argv: string[], io: CliIo) => Promise<number | void>; help?: CommandHelp };

/**
 * An error thrown while evaluating config/monthly-models.ts (`enabled: True` → "True is not
 * defined") says nothing about where: re-read the file with the registry parser, whose error names
 * file, line and the Python-ism. Returns the better error, or the original one.
 */
async function explainRegistryImport(err: unknown, cwd: string): Promise<unknown> {
  if (!(err instanceof Error) || isPwError(err) || !String(err.stack ?? '').includes('monthly-models')) return err;
  const file = existsSync(resolve(cwd, REGISTRY_MODULE)) ? resolve(cwd, REGISTRY_MODULE) : undefined;
  if (!file) return err;
  try {
    const { parseRegistryText } = await import('../lifecycle/registry-file.js');
    parseRegistryText(readFileSync(file, 'utf8'), REGISTRY_MODULE);
  } catch (better) {
    if (isPwError(better)) return better;
  }
  return err;
}

/** The one place a failed command is reported: one line, with its code, on stderr. */
function report(io: CliIo, err: unknown): number {
  const code = isPwError(err) ? `${err.code}: ` : '';
  io.err(`error: ${code}${describeError(err)}\n`);
  return isPwError(err, 'PW_ERR_CLI_USAGE') ? 2 : 1;
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  let args = argv;
  try {
    const chosen = applyEnvFile(argv, io.env, io.cwd, existsSync);
    args = chosen.argv;
    io = { ...io, env: chosen.env, envFile: chosen.envFile };
  } catch (err) {
    return report(io, err);
  }
  const [name, ...rest] = args;
  const commands = availableCommands();
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const text =
      `usage: cli <command> [sub-command] [flags]   (cli <command> --help for each)\ncommands: ${commands.join(', ')}\n` +
      `global flags:\n${GLOBAL_FLAGS.map((f) => `  ${f.flag}  ${f.text}${f.default ? ` (default: ${f.default})` : ''}`).join('\n')}\n`;
    if (name) io.out(text);
    else io.err(text);
    return name ? 0 : 2;
  }
  if (!commands.includes(name)) {
    io.err(`error: PW_ERR_CLI_USAGE: unknown command '${name}' (commands: ${commands.join(', ')})\n`);
    return 2;
  }
  try {
    // `.js` also resolves to the `.ts` source under tsx, and to the compiled file under dist/.
    const mod = (await import(join(commandsDir, `${name}.js`))) as CommandModule;
    if (rest.includes('--help') || rest.includes('-h')) {
      if (!mod.help) throw new Error(`command '${name}' has no help page`);
      io.out(helpFor(name, mod.help, rest));
      return 0;
    }
    return (await mod.run(rest, io)) ?? 0;
  } catch (err) {
    return report(io, await explainRegistryImport(err, io.cwd));
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // `cli … | head` closes stdout early: that is the reader's choice, not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  const io: CliIo = {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    env: process.env,
    cwd: process.cwd(),
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.exitCode = report(io, err);
    },
  );
}
