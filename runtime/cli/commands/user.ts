// `orbit user add`: stores a user's SCRAM-SHA-256 password verifier in the server's config file.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { UsageError, type Command } from '../command.ts';

/** Reads the whole of standard input; one trailing newline is not part of the password. */
async function passwordFromStdin(): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Prompts on the terminal with echo off. */
async function promptPassword(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  try {
    let text = '';
    for await (const chunk of stdin) {
      for (const ch of (chunk as Buffer).toString('utf8')) {
        if (ch === '\r' || ch === '\n') return text;
        if (ch === '\u0003') throw new UsageError('cancelled');
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    }
    return text;
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}

type ConfigFile = { protocols?: Record<string, Record<string, unknown>> } & Record<string, unknown>;

function readConfig(path: string): ConfigFile {
  if (!existsSync(path)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read config ${path}: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`config ${path}: expected a JSON object`);
  return parsed as ConfigFile;
}

export const userCommand: Command = {
  name: 'user',
  summary: 'Add a user who logs in with a password (PostgreSQL protocol)',
  usage: 'add <name> [--password-stdin] [--config <file>]',
  options: {
    config: { type: 'string', description: 'JSON config file to write (created if missing); env ORBIT_CONFIG', valueName: 'file' },
    'password-stdin': { type: 'boolean', description: 'Read the password from standard input instead of prompting' },
  },
  notes: [
    'Writes a SCRAM-SHA-256 verifier (never the password) to protocols.pg.users.<name>, replacing an',
    'existing entry. Once any user exists the server asks every client for a password, loopback',
    'included; restart the server to pick up changes.',
  ].join('\n'),
  async run(args) {
    const [action, name, ...extra] = args.positionals;
    if (action !== 'add') throw new UsageError(action === undefined ? 'expected "add <name>"' : `unknown action "${action}": expected "add"`);
    if (!name) throw new UsageError('expected a user name');
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const path = (args.values['config'] as string | undefined) ?? process.env['ORBIT_CONFIG'];
    if (!path) throw new UsageError('no config file: pass --config <file> or set ORBIT_CONFIG');
    const config = readConfig(path);
    let password: string;
    if (args.values['password-stdin'] === true) password = await passwordFromStdin();
    else {
      if (!process.stdin.isTTY) throw new UsageError('standard input is not a terminal: use --password-stdin');
      password = await promptPassword(`Password for ${name}: `);
      if ((await promptPassword('Again: ')) !== password) {
        console.error('orbit user: passwords do not match');
        return 1;
      }
    }
    if (password === '') {
      console.error('orbit user: empty password');
      return 1;
    }
    // The verifier format belongs to the PostgreSQL protocol; loaded here only, like `orbit server` loads the listeners.
    const { scramVerifier } = await import('../../../protocols/postgres/index.ts');
    const protocols = (config.protocols ??= {});
    const pg = (protocols['pg'] ??= {});
    const users = typeof pg['users'] === 'object' && pg['users'] !== null ? (pg['users'] as Record<string, string>) : {};
    users[name] = scramVerifier(password);
    pg['users'] = users;
    // Write then rename, so a crash never leaves a half-written config behind.
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, path);
    console.log(`orbit user: ${name} written to ${path}`);
    return 0;
  },
};
