// The command table and the decoder in isolation: the grammar artifact, derived arity, matcher results,
// Redis's error texts, and the decoder under random chunkings.
//
// To regenerate compiler/frontends/resp/command-grammar.ts after editing command-syntax.ohm:
//   ORBIT_WRITE_GRAMMAR=1 ./node_modules/.bin/bun test tests/protocols/resp-commands.test.ts

import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ohm from 'ohm-js';
import { CommandTable, type CommandSpec } from '../../compiler/index.ts';
import { Decoder, splitArgs } from '../../protocols/resp/index.ts';
import { callFailureText } from '../../protocols/resp/errors.ts';

const dir = join(import.meta.dir, '..', '..', 'compiler', 'frontends', 'resp');

function renderGrammarModule(source: string): string {
  // `toRecipe` exists at run time but is missing from ohm-js's type declarations.
  const grammar = ohm.grammar(source) as unknown as { toRecipe(): string };
  const recipe = JSON.stringify(JSON.parse(grammar.toRecipe()));
  return [
    '// Generated from command-syntax.ohm by tests/protocols/resp-commands.test.ts; do not edit (see that file to regenerate).',
    '',
    '/** Ohm recipe of the `RespCommand` grammar: loading it is cheaper than compiling command-syntax.ohm. */',
    `export const COMMAND_SYNTAX_RECIPE = ${JSON.stringify(recipe)};`,
    '',
  ].join('\n');
}

const table = new CommandTable();

function spec(name: string): CommandSpec {
  const [top, sub] = name.split(' ') as [string, string | undefined];
  const e = table.lookup(top);
  const s = e && 'subcommands' in e ? (sub ? e.subcommands.get(sub) : e.bare) : e;
  if (!s) throw new Error(`no spec for ${name}`);
  return s;
}

describe('command table', () => {
  test('command-grammar.ts is the recipe of command-syntax.ohm', () => {
    const expected = renderGrammarModule(readFileSync(join(dir, 'command-syntax.ohm'), 'utf8'));
    const path = join(dir, 'command-grammar.ts');
    if (process.env['ORBIT_WRITE_GRAMMAR'] === '1') writeFileSync(path, expected);
    expect(readFileSync(path, 'utf8') === expected).toBe(true);
  });

  test("arity comes from the signature and equals Redis's", () => {
    const arities: Record<string, number> = { GET: 2, SET: -3, HSET: -4, ZADD: -4, LPOP: -2, MSET: -3, BLPOP: -3, LMOVE: 5, PING: -1, 'CLIENT SETNAME': 3, 'CONFIG GET': -3, EXEC: 1, BITCOUNT: -2 };
    for (const [name, arity] of Object.entries(arities)) expect([name, spec(name).arity]).toEqual([name, arity]);
  });

  test('matchers name arguments, keywords and choices', () => {
    const set = table.compile(['set', 'k', 'v', 'ex', '10', 'NX', 'GET']);
    expect(set).toMatchObject({ kind: 'key-op', command: 'SET', args: { key: 'k', value: 'v', EX: true, seconds: '10', NX: true, GET: true } });
    expect(table.compile(['ZUNIONSTORE', 'd', '2', 'a', 'b', 'WEIGHTS', '1', '2', 'AGGREGATE', 'max'])).toMatchObject({ args: { key: ['a', 'b'], weight: ['1', '2'] }, choices: ['MAX'] });
    expect(table.compile(['LMOVE', 's', 'd', 'left', 'RIGHT'])).toMatchObject({ choices: ['LEFT', 'RIGHT'] });
    expect(table.compile(['BLPOP', 'a', 'b', '0'])).toMatchObject({ args: { key: ['a', 'b'], timeout: '0' } });
    expect(table.compile(['AUTH', 'pw'])).toMatchObject({ args: { password: 'pw' } });
    expect(table.compile(['AUTH', 'u', 'pw'])).toMatchObject({ args: { username: 'u', password: 'pw' } });
  });

  test("a wrong call gets Redis's error text", () => {
    const text = (argv: string[]): string => {
      const r = table.compile(argv);
      if (r.kind === 'key-op') throw new Error('matched');
      return callFailureText(r);
    };
    expect(text(['GET'])).toBe("ERR wrong number of arguments for 'get' command");
    expect(text(['client', 'setname'])).toBe("ERR wrong number of arguments for 'client|setname' command");
    expect(text(['SET', 'k', 'v', 'NX', 'XX'])).toBe('ERR syntax error');
    expect(text(['SET', 'k', 'v', 'EX'])).toBe('ERR syntax error');
    expect(text(['HSET', 'h', 'f'])).toBe("ERR wrong number of arguments for 'hset' command");
    expect(text(['HSET', 'h', 'f', 'v', 'g'])).toBe('ERR syntax error');
    expect(text(['LMPOP', '3', 'a', 'LEFT'])).toBe("ERR Number of keys can't be greater than number of args");
    expect(text(['foo', 'bar'])).toBe("ERR unknown command 'foo', with args beginning with: 'bar' ");
  });

  test('every table line parses and every command has a group', () => {
    const all = [...table.all()];
    expect(all.length).toBeGreaterThan(170);
    for (const c of all) expect(c.group).not.toBe('');
  });
});

describe('decoder', () => {
  const argvArb = fc.array(fc.array(fc.uint8Array({ maxLength: 20 }).map((b) => Buffer.from(b).toString('latin1')), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 });

  test('any chunking of valid frames yields the same commands', () => {
    fc.assert(
      fc.property(argvArb, fc.array(fc.nat(), { maxLength: 10 }), (cmds, cuts) => {
        const bytes = Buffer.concat(cmds.map((a) => Buffer.from(`*${a.length}\r\n` + a.map((x) => `$${x.length}\r\n${x}\r\n`).join(''), 'latin1')));
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const d = new Decoder();
        const got: string[][] = [];
        let prev = 0;
        for (const p of [...points, bytes.length]) {
          d.push(bytes.subarray(prev, p));
          prev = p;
          for (let c = d.next(); c; c = d.next()) got.push(c);
        }
        expect(got).toEqual(cmds);
      }),
      { numRuns: 300 },
    );
  });

  test('inline splitting follows redis-cli quoting', () => {
    expect(splitArgs('SET k "a b\\x41\\n" \'c d\'')).toEqual(['SET', 'k', 'a bA\n', 'c d']);
    expect(splitArgs('SET "open')).toBeUndefined();
    expect(splitArgs('   ')).toEqual([]);
  });
});
