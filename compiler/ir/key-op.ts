// The IR's KeyOp node: one key-value command with its arguments matched against the command's syntax.

/** A matched argument: its bytes, `true` for a keyword that was present, or every occurrence inside a repetition. */
export type KeyOpArg = string | true | readonly string[];

/**
 * A point command on the key-value model (a Redis command). Plain data: arguments are binary-safe
 * strings holding one byte per UTF-16 code unit (latin1), so any byte sequence round-trips and the
 * keyspace can use them directly as map keys.
 */
export interface KeyOp {
  readonly kind: 'key-op';
  /** Canonical upper-case name; a subcommand is `CONTAINER|SUB` (`CLIENT|SETNAME`). */
  readonly command: string;
  /** The arguments as sent, the command name first. */
  readonly argv: readonly string[];
  /**
   * Arguments by their name in the signature (`key`, `seconds`), keywords by their upper-case word
   * (`NX: true`); names inside a repetition (`key [key ...]`) hold every occurrence in order.
   */
  readonly args: Readonly<Record<string, KeyOpArg>>;
  /** The keyword chosen by each required choice (`<LEFT | RIGHT>`), in signature order. */
  readonly choices: readonly string[];
}
