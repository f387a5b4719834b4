// The command table: the spec text parsed once into commands with arity, flags, keys, docs and matchers.
import type { KeyOp } from '../../ir/key-op.ts';
import type { ArgNode } from './ast.ts';
import { compileMatcher, runMatcher, type MatchFailure, type Matcher } from './match.ts';
import { COMMAND_SPECS } from './specs.ts';
import { parseSpecLine } from './to-ast.ts';

/** One command (or subcommand) of the table. */
export interface CommandSpec {
  /** Upper-case; `CONTAINER|SUB` for a subcommand. */
  readonly name: string;
  readonly group: string;
  /** Redis's arity: the argument count including the name, negative for "at least". */
  readonly arity: number;
  readonly flags: readonly string[];
  readonly firstKey: number;
  readonly lastKey: number;
  readonly keyStep: number;
  readonly args: readonly ArgNode[];
  /** The signature as written in the table, for COMMAND DOCS and errors. */
  readonly syntax: string;
  readonly matcher: Matcher;
}

/** A container command (`CLIENT`) and its subcommands by upper-case name. */
export interface ContainerSpec {
  readonly name: string;
  readonly group: string;
  readonly subcommands: ReadonlyMap<string, CommandSpec>;
  /** The command run when no subcommand is given (`COMMAND` alone). */
  bare?: CommandSpec;
}

/** Why a call could not become a KeyOp; errors.ts in the protocol renders Redis's text for each. */
export type CallFailure =
  | { readonly kind: 'unknown-command'; readonly name: string; readonly args: readonly string[] }
  | { readonly kind: 'unknown-subcommand'; readonly container: string; readonly sub: string }
  | { readonly kind: 'arity'; readonly name: string }
  | MatchFailure;

function arityOf(args: readonly ArgNode[], base: number): number {
  let required = base;
  let variadic = false;
  for (const a of args) {
    if (a.kind === 'keyword' || a.kind === 'value' || a.kind === 'choice') required++;
    else variadic = true;
  }
  return variadic ? -required : required;
}

/** Every command in one table, looked up by name per request. */
export class CommandTable {
  /** Plain commands and containers by upper-case name. */
  readonly commands = new Map<string, CommandSpec | ContainerSpec>();
  /** Lower-case name → entry, so a request's name is looked up without upper-casing it first. */
  private readonly byLower = new Map<string, CommandSpec | ContainerSpec>();
  /**
   * Every spelling seen in requests (`SET`, `set`, `Set`) → entry, so each spelling is case-folded
   * once. Bounded: a client sending ever new spellings only costs the fold again.
   */
  private readonly bySpelling = new Map<string, CommandSpec | ContainerSpec>();

  constructor(text: string = COMMAND_SPECS) {
    let group = 'generic';
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (line === '') continue;
      const parsed = parseSpecLine(line);
      if (parsed.kind === 'error') throw new Error(`command table: ${line}: ${parsed.message}`);
      if (parsed.kind === 'group') {
        group = parsed.group;
        continue;
      }
      const [container, sub] = parsed.name.split('|') as [string, string | undefined];
      const syntax = line.slice(0, line.indexOf(';')).trim().replace('|', ' ');
      const spec: CommandSpec = {
        name: parsed.name,
        group,
        arity: arityOf(parsed.args, sub ? 2 : 1),
        flags: parsed.flags,
        firstKey: parsed.keys[0],
        lastKey: parsed.keys[1],
        keyStep: parsed.keys[2],
        args: parsed.args,
        syntax,
        matcher: compileMatcher(parsed.args, sub ? 2 : 1),
      };
      const existing = this.commands.get(container);
      if (sub) {
        let c = existing;
        if (!c || !('subcommands' in c)) {
          c = { name: container, group, subcommands: new Map(), ...(c ? { bare: c } : {}) };
          this.commands.set(container, c);
          this.byLower.set(container.toLowerCase(), c);
        }
        (c.subcommands as Map<string, CommandSpec>).set(sub, spec);
      } else if (existing && 'subcommands' in existing) {
        existing.bare = spec;
      } else {
        this.commands.set(container, spec);
        this.byLower.set(container.toLowerCase(), spec);
      }
    }
  }

  /** The command or container named by argv[0] (ASCII case-insensitive). */
  lookup(name: string): CommandSpec | ContainerSpec | undefined {
    const hit = this.bySpelling.get(name);
    if (hit !== undefined) return hit;
    const entry = this.byLower.get(asciiLower(name));
    if (entry !== undefined && this.bySpelling.size < MAX_SPELLINGS) this.bySpelling.set(name, entry);
    return entry;
  }

  /** Every command and subcommand, containers expanded. */
  *all(): Iterable<CommandSpec> {
    for (const c of this.commands.values()) {
      if ('subcommands' in c) {
        if (c.bare) yield c.bare;
        yield* c.subcommands.values();
      } else yield c;
    }
  }

  /** Resolves argv to its spec, checking arity; argv[0] is the command name. */
  resolve(argv: readonly string[]): CommandSpec | CallFailure {
    const name = argv[0] ?? '';
    const entry = this.lookup(name);
    if (!entry) return { kind: 'unknown-command', name, args: argv.slice(1) };
    let spec: CommandSpec;
    if ('subcommands' in entry) {
      if (argv.length < 2) {
        if (!entry.bare) return { kind: 'arity', name: asciiLower(entry.name) };
        return entry.bare;
      }
      const sub = entry.subcommands.get(asciiUpper(argv[1]!));
      if (!sub) return { kind: 'unknown-subcommand', container: entry.name, sub: argv[1]! };
      spec = sub;
    } else spec = entry;
    const n = argv.length;
    if (spec.arity >= 0 ? n !== spec.arity : n < -spec.arity) return { kind: 'arity', name: asciiLower(spec.name) };
    return spec;
  }

  /**
   * argv → KeyOp, or why not: arity first (Redis's order), then the signature. `spare`: an op an
   * earlier call returned that the caller no longer holds, which may be returned again for this call.
   */
  compile(argv: readonly string[], spare?: KeyOp): KeyOp | CallFailure {
    const spec = this.resolve(argv);
    if ('kind' in spec) return spec;
    return runMatcher(spec.matcher, spec.name, argv, spare);
  }
}

/** How many request spellings of command names the table remembers. */
const MAX_SPELLINGS = 4096;

/** Lower-cases ASCII letters only (arguments are binary; other bytes stay as they are). */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** Upper-cases ASCII letters only. */
export function asciiUpper(s: string): string {
  return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
}
