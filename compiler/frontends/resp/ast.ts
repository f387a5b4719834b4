// The command table's syntax tree: one signature in Redis's notation, as parsed by command-syntax.ohm.

/** One element of a signature. */
export type ArgNode =
  | { readonly kind: 'keyword'; readonly word: string }
  | { readonly kind: 'value'; readonly name: string }
  /** `[a | b]`; `repeat` for `[a ...]` (zero or more). */
  | { readonly kind: 'optional'; readonly alternatives: readonly (readonly ArgNode[])[]; readonly repeat: boolean }
  /** `<A | B>`: exactly one alternative. */
  | { readonly kind: 'choice'; readonly alternatives: readonly (readonly ArgNode[])[] };

/** One parsed line of the command table. */
export type SpecLine =
  | { readonly kind: 'group'; readonly group: string }
  | {
      readonly kind: 'command';
      /** Upper-case, `CONTAINER|SUB` for a subcommand. */
      readonly name: string;
      readonly args: readonly ArgNode[];
      readonly flags: readonly string[];
      /** First key, last key (negative counts from the end), step; all 0 when keys are not positional. */
      readonly keys: readonly [number, number, number];
    };
