#!/usr/bin/env node
/**
 * @module cli
 * One entry point: `npm run --silent cli -- <command> [args]`. Each command lives in
 * `commands/<command>.ts` and exports `run(argv, io)`; this file only parses the command
 * name, wires stdout/stderr and turns errors into a one-line reason and a non-zero exit.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { describeError, isPwError } from '../errors.js';
import type { CliIo } from './io.js';

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), 'commands');

function availableCommands(): string[] {
  return readdirSync(commandsDir)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.includes('.test.'))
    .map((f) => f.replace(/\.(ts|js)$/, ''))
    .sort();
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  const commands = availableCommands();
  if (!name || name === '--help' || name === 'help') {
    io.err(`usage: cli <command> [options]\ncommands: ${commands.join(', ')}\n`);
    return name ? 0 : 2;
  }
  if (!commands.includes(name)) {
    io.err(`error: unknown command '${name}' (commands: ${commands.join(', ')})\n`);
    return 2;
  }
  // `.js` also resolves to the `.ts` source under tsx, and to the compiled file under dist/.
  const mod = (await import(join(commandsDir, `${name}.js`))) as {
    run: (argv: string[], io: CliIo) => Promise<number | void>;
  };
  try {
    return (await mod.run(rest, io)) ?? 0;
  } catch (err) {
    const code = isPwError(err) ? `${err.code}: ` : '';
    io.err(`error: ${code}${describeError(err)}\n`);
    return isPwError(err, 'PW_ERR_CLI_USAGE') ? 2 : 1;
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
      process.stderr.write(`error: ${describeError(err)}\n`);
      process.exitCode = 1;
    },
  );
}
