// The Ohm boundary of the command table: builds the command-syntax grammar once and turns a line into a SpecLine.
//
// This is the only file of the RESP front end that touches Ohm (and the only one allowed `any`, for
// Ohm's untyped CST nodes). It runs once per table line at start-up, never per request.

/* eslint-disable @typescript-eslint/no-explicit-any */
import * as ohm from 'ohm-js';
import type { ArgNode, SpecLine } from './ast.ts';
import { COMMAND_SYNTAX_RECIPE } from './command-grammar.ts';

// (`makeRecipe` is exported by ohm-js but missing from its type declarations.)
const grammar: ohm.Grammar = (ohm as any).makeRecipe(JSON.parse(COMMAND_SYNTAX_RECIPE));

const semantics = grammar.createSemantics().addOperation<any>('ast', {
  GroupLine(_at: any, name: any): SpecLine {
    return { kind: 'group', group: name.sourceString };
  },
  CommandLine(name: any, items: any, _semi: any, flags: any, keys: any): SpecLine {
    const k = keys.numChildren === 0 ? ([0, 0, 0] as const) : (keys.child(0).ast() as [number, number, number]);
    return {
      kind: 'command',
      name: name.sourceString,
      args: items.children.map((c: any) => c.ast()),
      flags: flags.children.map((f: any) => f.sourceString),
      keys: k,
    };
  },
  KeySpec(_semi: any, _keys: any, first: any, last: any, step: any): [number, number, number] {
    return [Number(first.sourceString), Number(last.sourceString), Number(step.sourceString)];
  },
  Item_optional(_open: any, alts: any, ellipsis: any, _close: any): ArgNode {
    return { kind: 'optional', alternatives: alts.ast(), repeat: ellipsis.numChildren > 0 };
  },
  Item_choice(_open: any, alts: any, _close: any): ArgNode {
    return { kind: 'choice', alternatives: alts.ast() };
  },
  Item_keyword(word: any): ArgNode {
    return { kind: 'keyword', word: word.sourceString };
  },
  Item_value(name: any): ArgNode {
    return { kind: 'value', name: name.sourceString };
  },
  Alternatives(list: any): ArgNode[][] {
    return list.asIteration().children.map((s: any) => s.ast());
  },
  Sequence(items: any): ArgNode[] {
    return items.children.map((i: any) => i.ast());
  },
});

/** Parses one table line; a malformed line is the table author's mistake, reported with Ohm's message. */
export function parseSpecLine(line: string): SpecLine | { readonly kind: 'error'; readonly message: string } {
  const m = grammar.match(line);
  if (m.failed()) return { kind: 'error', message: m.shortMessage ?? 'syntax error' };
  return semantics(m)['ast']() as SpecLine;
}
