// The function registry: PostgreSQL signatures and result types of operators, scalar, aggregate and window functions.
//
// Names are the IR `Call.fn` names shared with the executor's kernels (operators keep their SQL
// spelling, unary minus is `neg`). Overloads are listed the way pg_proc/pg_operator list them, so
// resolution (resolve.ts) can follow PostgreSQL's rules.

import { T, type DataType } from '../ir/types.ts';

/**
 * An argument slot: a concrete type (matched ignoring type modifiers), `any` (accepts every type
 * without unification, like `concat`'s "any"), `elem` (anyelement: all elem slots unify to one
 * type) or `array` (anyarray: a list whose element unifies with elem).
 */
export type ArgSpec = DataType | 'any' | 'elem' | 'array';

/** Result: a concrete type, the unified `elem`, a list of it, or computed from the resolved argument types. */
export type ResultSpec = DataType | 'elem' | 'array' | ((args: readonly DataType[]) => DataType);

export interface Signature {
  readonly args: readonly ArgSpec[];
  /** Repeats the last slot any number of times (including zero extra). */
  readonly variadic?: boolean;
  readonly result: ResultSpec;
  /** Result is NULL-free whatever the inputs (count, is_null…). */
  readonly notNull?: boolean;
}

export type FunctionKind = 'scalar' | 'aggregate' | 'window';

export interface FunctionDef {
  readonly name: string;
  readonly kind: FunctionKind;
  readonly signatures: readonly Signature[];
  /** Volatile functions (random, now, nextval) must not be constant-folded or deduplicated. */
  readonly volatile?: boolean;
}

const I2 = T.int16, I4 = T.int32, I8 = T.int64, F4 = T.float32, F8 = T.float64, NUM = T.decimal, TEXT = T.text, BOOL = T.bool;
const DATE = T.date, TS = T.timestamp, TSTZ = T.timestamptz, INTERVAL = T.interval, JSON_ = T.json, JSONB = T.jsonb, BYTEA = T.binary, UUID = T.uuid;
const NUMERICS: readonly DataType[] = [I2, I4, I8, NUM, F4, F8];
const ORDERED: readonly DataType[] = [...NUMERICS, TEXT, BOOL, DATE, TS, TSTZ, INTERVAL, UUID, BYTEA, JSONB];

const sig = (args: readonly ArgSpec[], result: ResultSpec, extra: Partial<Signature> = {}): Signature => ({ args, result, ...extra });
const each = (types: readonly DataType[], make: (t: DataType) => Signature): Signature[] => types.map(make);

/** Binary operators, keyed by IR name. */
const BINARY: Record<string, readonly Signature[]> = {
  '+': [
    ...each(NUMERICS, (t) => sig([t, t], t)),
    sig([DATE, I4], DATE), sig([I4, DATE], DATE),
    sig([DATE, INTERVAL], TS), sig([INTERVAL, DATE], TS),
    sig([TS, INTERVAL], TS), sig([INTERVAL, TS], TS),
    sig([TSTZ, INTERVAL], TSTZ), sig([INTERVAL, TSTZ], TSTZ),
    sig([INTERVAL, INTERVAL], INTERVAL),
  ],
  '-': [
    ...each(NUMERICS, (t) => sig([t, t], t)),
    sig([DATE, I4], DATE), sig([DATE, DATE], I4), sig([DATE, INTERVAL], TS),
    sig([TS, INTERVAL], TS), sig([TSTZ, INTERVAL], TSTZ),
    sig([TS, TS], INTERVAL), sig([TSTZ, TSTZ], INTERVAL),
    sig([INTERVAL, INTERVAL], INTERVAL),
    sig([JSONB, TEXT], JSONB), sig([JSONB, I4], JSONB),
  ],
  '*': [...each(NUMERICS, (t) => sig([t, t], t)), sig([INTERVAL, F8], INTERVAL), sig([F8, INTERVAL], INTERVAL)],
  '/': [...each(NUMERICS, (t) => sig([t, t], t)), sig([INTERVAL, F8], INTERVAL)],
  '%': each([I2, I4, I8, NUM], (t) => sig([t, t], t)),
  '^': [sig([F8, F8], F8), sig([NUM, NUM], NUM)],
  '||': [
    sig([TEXT, TEXT], TEXT),
    sig([TEXT, 'any'], TEXT),
    sig(['any', TEXT], TEXT),
    sig([BYTEA, BYTEA], BYTEA),
    sig([JSONB, JSONB], JSONB),
    sig(['array', 'array'], 'array'),
    sig(['array', 'elem'], 'array'),
    sig(['elem', 'array'], 'array'),
  ],
  and: [sig([BOOL, BOOL], BOOL)],
  or: [sig([BOOL, BOOL], BOOL)],
  like: [sig([TEXT, TEXT], BOOL), sig([BYTEA, BYTEA], BOOL)],
  '~': [sig([TEXT, TEXT], BOOL)],
  '!~': [sig([TEXT, TEXT], BOOL)],
  '~*': [sig([TEXT, TEXT], BOOL)],
  '!~*': [sig([TEXT, TEXT], BOOL)],
  ilike: [sig([TEXT, TEXT], BOOL)],
  '->': [sig([JSON_, TEXT], JSON_), sig([JSON_, I4], JSON_), sig([JSONB, TEXT], JSONB), sig([JSONB, I4], JSONB)],
  '->>': [sig([JSON_, TEXT], TEXT), sig([JSON_, I4], TEXT), sig([JSONB, TEXT], TEXT), sig([JSONB, I4], TEXT)],
  '#>': [sig([JSON_, { kind: 'list', element: TEXT }], JSON_), sig([JSONB, { kind: 'list', element: TEXT }], JSONB)],
  '#>>': [sig([JSON_, { kind: 'list', element: TEXT }], TEXT), sig([JSONB, { kind: 'list', element: TEXT }], TEXT)],
  '@>': [sig([JSONB, JSONB], BOOL), sig(['array', 'array'], BOOL)],
  '<@': [sig([JSONB, JSONB], BOOL), sig(['array', 'array'], BOOL)],
  '?': [sig([JSONB, TEXT], BOOL)],
  '&': each([I2, I4, I8], (t) => sig([t, t], t)),
  '|': each([I2, I4, I8], (t) => sig([t, t], t)),
  '#': each([I2, I4, I8], (t) => sig([t, t], t)),
  '<<': each([I2, I4, I8], (t) => sig([t, I4], t)),
  '>>': each([I2, I4, I8], (t) => sig([t, I4], t)),
};

const COMPARISON = ['=', '<>', '<', '<=', '>', '>='] as const;
for (const op of COMPARISON) {
  BINARY[op] = [...each(ORDERED, (t) => sig([t, t], BOOL)), sig(['array', 'array'], BOOL), sig([JSON_, JSON_], BOOL)];
}

/** Unary operators, keyed by IR name. */
const UNARY: Record<string, readonly Signature[]> = {
  neg: [...each(NUMERICS, (t) => sig([t], t)), sig([INTERVAL], INTERVAL)],
  not: [sig([BOOL], BOOL)],
  '~': each([I2, I4, I8], (t) => sig([t], t)),
};

const numericUnary = (name: string, types: readonly DataType[] = NUMERICS): FunctionDef => ({
  name,
  kind: 'scalar',
  signatures: each(types, (t) => sig([t], t)),
});

const scalar = (name: string, signatures: readonly Signature[], volatile = false): FunctionDef => ({ name, kind: 'scalar', signatures, ...(volatile ? { volatile } : {}) });

const dateParts = (name: string, result: DataType): FunctionDef =>
  scalar(name, [sig([TEXT, TS], result), sig([TEXT, TSTZ], result), sig([TEXT, DATE], result), sig([TEXT, INTERVAL], result)]);

const SCALARS: readonly FunctionDef[] = [
  scalar('lower', [sig([TEXT], TEXT)]),
  scalar('upper', [sig([TEXT], TEXT)]),
  scalar('initcap', [sig([TEXT], TEXT)]),
  scalar('length', [sig([TEXT], I4), sig([BYTEA], I4)]),
  scalar('char_length', [sig([TEXT], I4)]),
  scalar('octet_length', [sig([TEXT], I4), sig([BYTEA], I4)]),
  scalar('substring', [sig([TEXT, I4], TEXT), sig([TEXT, I4, I4], TEXT), sig([TEXT, TEXT], TEXT)]),
  scalar('substr', [sig([TEXT, I4], TEXT), sig([TEXT, I4, I4], TEXT)]),
  scalar('position', [sig([TEXT, TEXT], I4)]),
  scalar('strpos', [sig([TEXT, TEXT], I4)]),
  scalar('trim', [sig([TEXT], TEXT), sig([TEXT, TEXT], TEXT)]),
  scalar('btrim', [sig([TEXT], TEXT), sig([TEXT, TEXT], TEXT)]),
  scalar('ltrim', [sig([TEXT], TEXT), sig([TEXT, TEXT], TEXT)]),
  scalar('rtrim', [sig([TEXT], TEXT), sig([TEXT, TEXT], TEXT)]),
  scalar('replace', [sig([TEXT, TEXT, TEXT], TEXT)]),
  scalar('translate', [sig([TEXT, TEXT, TEXT], TEXT)]),
  scalar('concat', [sig(['any'], TEXT, { variadic: true, notNull: true })]),
  scalar('concat_ws', [sig([TEXT, 'any'], TEXT, { variadic: true })]),
  scalar('split_part', [sig([TEXT, TEXT, I4], TEXT)]),
  scalar('regexp_replace', [sig([TEXT, TEXT, TEXT], TEXT), sig([TEXT, TEXT, TEXT, TEXT], TEXT)]),
  scalar('regexp_match', [sig([TEXT, TEXT], { kind: 'list', element: TEXT })]),
  scalar('left', [sig([TEXT, I4], TEXT)]),
  scalar('right', [sig([TEXT, I4], TEXT)]),
  scalar('lpad', [sig([TEXT, I4], TEXT), sig([TEXT, I4, TEXT], TEXT)]),
  scalar('rpad', [sig([TEXT, I4], TEXT), sig([TEXT, I4, TEXT], TEXT)]),
  scalar('repeat', [sig([TEXT, I4], TEXT)]),
  scalar('reverse', [sig([TEXT], TEXT)]),
  scalar('starts_with', [sig([TEXT, TEXT], BOOL)]),
  scalar('md5', [sig([TEXT], TEXT)]),
  scalar('chr', [sig([I4], TEXT)]),
  scalar('ascii', [sig([TEXT], I4)]),
  scalar('to_hex', [sig([I4], TEXT), sig([I8], TEXT)]),
  numericUnary('abs'),
  scalar('round', [sig([NUM], NUM), sig([NUM, I4], NUM), sig([F8], F8)]),
  scalar('trunc', [sig([NUM], NUM), sig([NUM, I4], NUM), sig([F8], F8)]),
  scalar('ceil', [sig([NUM], NUM), sig([F8], F8)]),
  scalar('ceiling', [sig([NUM], NUM), sig([F8], F8)]),
  scalar('floor', [sig([NUM], NUM), sig([F8], F8)]),
  scalar('sign', [sig([NUM], NUM), sig([F8], F8)]),
  scalar('power', [sig([F8, F8], F8), sig([NUM, NUM], NUM)]),
  scalar('pow', [sig([F8, F8], F8), sig([NUM, NUM], NUM)]),
  scalar('sqrt', [sig([F8], F8), sig([NUM], NUM)]),
  scalar('cbrt', [sig([F8], F8)]),
  scalar('exp', [sig([F8], F8), sig([NUM], NUM)]),
  scalar('ln', [sig([F8], F8), sig([NUM], NUM)]),
  scalar('log', [sig([F8], F8), sig([NUM], NUM), sig([NUM, NUM], NUM)]),
  scalar('log10', [sig([F8], F8), sig([NUM], NUM)]),
  scalar('mod', each([I2, I4, I8, NUM], (t) => sig([t, t], t))),
  scalar('div', [sig([NUM, NUM], NUM)]),
  scalar('pi', [sig([], F8, { notNull: true })]),
  scalar('random', [sig([], F8, { notNull: true })], true),
  scalar('gen_random_uuid', [sig([], UUID, { notNull: true })], true),
  scalar('now', [sig([], TSTZ, { notNull: true })]),
  scalar('current_date', [sig([], DATE, { notNull: true })]),
  scalar('current_timestamp', [sig([], TSTZ, { notNull: true })]),
  scalar('localtimestamp', [sig([], TS, { notNull: true })]),
  scalar('clock_timestamp', [sig([], TSTZ, { notNull: true })], true),
  scalar('date_trunc', [sig([TEXT, TS], TS), sig([TEXT, TSTZ], TSTZ), sig([TEXT, INTERVAL], INTERVAL)]),
  // time_bucket(width, ts [, origin]): the start of ts's bucket; buckets of `width` count from origin (default the Unix epoch).
  scalar('time_bucket', [sig([INTERVAL, TS], TS), sig([INTERVAL, TSTZ], TSTZ), sig([INTERVAL, TS, TS], TS), sig([INTERVAL, TSTZ, TSTZ], TSTZ)]),
  // PostgreSQL 14+: extract returns numeric; date_part keeps double precision.
  dateParts('extract', NUM),
  dateParts('date_part', F8),
  scalar('age', [sig([TS, TS], INTERVAL), sig([TSTZ, TSTZ], INTERVAL), sig([TS], INTERVAL)]),
  scalar('make_date', [sig([I4, I4, I4], DATE)]),
  scalar('make_interval', [sig([I4, I4, I4, I4, I4, I4, F8], INTERVAL)]),
  scalar('to_char', [sig([TS, TEXT], TEXT), sig([TSTZ, TEXT], TEXT), sig([INTERVAL, TEXT], TEXT), sig([NUM, TEXT], TEXT), sig([F8, TEXT], TEXT), sig([I8, TEXT], TEXT), sig([I4, TEXT], TEXT)]),
  scalar('to_date', [sig([TEXT, TEXT], DATE)]),
  scalar('to_timestamp', [sig([F8], TSTZ), sig([TEXT, TEXT], TSTZ)]),
  scalar('to_number', [sig([TEXT, TEXT], NUM)]),
  scalar('to_json', [sig(['any'], JSON_)]),
  scalar('to_jsonb', [sig(['any'], JSONB)]),
  scalar('json_build_object', [sig(['any'], JSON_, { variadic: true, notNull: true }), sig([], JSON_, { notNull: true })]),
  scalar('jsonb_build_object', [sig(['any'], JSONB, { variadic: true, notNull: true }), sig([], JSONB, { notNull: true })]),
  scalar('json_build_array', [sig(['any'], JSON_, { variadic: true, notNull: true }), sig([], JSON_, { notNull: true })]),
  scalar('jsonb_build_array', [sig(['any'], JSONB, { variadic: true, notNull: true }), sig([], JSONB, { notNull: true })]),
  scalar('json_typeof', [sig([JSON_], TEXT)]),
  scalar('jsonb_typeof', [sig([JSONB], TEXT)]),
  scalar('jsonb_array_length', [sig([JSONB], I4)]),
  scalar('json_array_length', [sig([JSON_], I4)]),
  scalar('jsonb_extract_path', [sig([JSONB, TEXT], JSONB, { variadic: true })]),
  scalar('jsonb_extract_path_text', [sig([JSONB, TEXT], TEXT, { variadic: true })]),
  scalar('jsonb_set', [sig([JSONB, { kind: 'list', element: TEXT }, JSONB], JSONB)]),
  // OrbitQL's object:: functions: a JSON object's keys (text[]), values and [key, value] pairs (arrays), size.
  scalar('object_keys', [sig([JSONB], { kind: 'list', element: TEXT })]),
  scalar('object_values', [sig([JSONB], JSONB)]),
  scalar('object_entries', [sig([JSONB], JSONB)]),
  scalar('object_len', [sig([JSONB], I4)]),
  scalar('array_length', [sig(['array', I4], I4)]),
  scalar('cardinality', [sig(['array'], I4)]),
  scalar('array_append', [sig(['array', 'elem'], 'array')]),
  scalar('array_prepend', [sig(['elem', 'array'], 'array')]),
  scalar('array_cat', [sig(['array', 'array'], 'array')]),
  scalar('array_position', [sig(['array', 'elem'], I4)]),
  scalar('array_to_string', [sig(['array', TEXT], TEXT)]),
  scalar('string_to_array', [sig([TEXT, TEXT], { kind: 'list', element: TEXT })]),
  scalar('nextval', [sig([TEXT], I8, { notNull: true })], true),
  scalar('currval', [sig([TEXT], I8, { notNull: true })], true),
  scalar('pg_typeof', [sig(['any'], TEXT, { notNull: true })]),
  scalar('version', [sig([], TEXT, { notNull: true })]),
  scalar('current_schema', [sig([], TEXT, { notNull: true })]),
  // Session facts: volatile, so a plan shared between sessions never carries one session's answer.
  scalar('current_user', [sig([], TEXT, { notNull: true })], true),
  scalar('current_database', [sig([], TEXT, { notNull: true })], true),
  scalar('pg_backend_pid', [sig([], I4, { notNull: true })], true),
  scalar('current_setting', [sig([TEXT], TEXT), sig([TEXT, BOOL], TEXT)], true),
  scalar('set_config', [sig([TEXT, TEXT, BOOL], TEXT)], true),
  // The system functions clients call on connect and in psql's describe commands (PostgreSQL's "System Information Functions").
  scalar('pg_table_is_visible', [sig([I4], BOOL)]),
  scalar('pg_type_is_visible', [sig([I4], BOOL)]),
  scalar('pg_get_userbyid', [sig([I4], TEXT)], true),
  scalar('pg_encoding_to_char', [sig([I4], TEXT)]),
  scalar('format_type', [sig([I4, I4], TEXT)], true),
  scalar('pg_get_expr', [sig([TEXT, I4], TEXT), sig([TEXT, I4, BOOL], TEXT)]),
  scalar('pg_get_indexdef', [sig([I4], TEXT), sig([I4, I4, BOOL], TEXT)], true),
  scalar('pg_get_constraintdef', [sig([I4], TEXT), sig([I4, BOOL], TEXT)], true),
  scalar('pg_get_triggerdef', [sig([I4], TEXT), sig([I4, BOOL], TEXT)]),
  scalar('pg_get_statisticsobjdef_columns', [sig([I4], TEXT)]),
  // The reg* types' text input and output: names of relations, types, functions and schemas ⇄ OIDs.
  ...(['regclass', 'regtype', 'regproc', 'regnamespace'] as const).flatMap((k) => [scalar(`${k}in`, [sig([TEXT], I4)], true), scalar(`${k}out`, [sig([I4], TEXT)], true)]),
  scalar('pg_relation_is_publishable', [sig([I4], BOOL)]),
  scalar('array_upper', [sig(['array', I4], I4)]),
  scalar('array_lower', [sig(['array', I4], I4)]),
  scalar('obj_description', [sig([I4], TEXT), sig([I4, TEXT], TEXT)]),
  scalar('col_description', [sig([I4, I4], TEXT)]),
  scalar('shobj_description', [sig([I4, TEXT], TEXT)]),
  scalar('has_table_privilege', [sig(['any', 'any'], BOOL, { notNull: true }), sig(['any', 'any', 'any'], BOOL, { notNull: true })]),
  scalar('has_schema_privilege', [sig(['any', 'any'], BOOL, { notNull: true }), sig(['any', 'any', 'any'], BOOL, { notNull: true })]),
  scalar('has_database_privilege', [sig(['any', 'any'], BOOL, { notNull: true }), sig(['any', 'any', 'any'], BOOL, { notNull: true })]),
  // Vectors: a vector, a numeric array or a JSON array of numbers, all of one dimension (pgvector's names).
  ...['cosine_distance', 'cosine_similarity', 'l2_distance', 'l1_distance', 'inner_product', 'negative_inner_product'].map((n) => scalar(n, [sig(['any', 'any'], F8)])),
  scalar('vector_dims', [sig(['any'], I4)]),
  scalar('vector_norm', [sig(['any'], F8)]),
];

const aggregate = (name: string, signatures: readonly Signature[]): FunctionDef => ({ name, kind: 'aggregate', signatures });

const AGGREGATES: readonly FunctionDef[] = [
  aggregate('count', [sig([], I8, { notNull: true }), sig(['any'], I8, { notNull: true })]),
  aggregate('sum', [sig([I2], I8), sig([I4], I8), sig([I8], NUM), sig([NUM], NUM), sig([F4], F4), sig([F8], F8), sig([INTERVAL], INTERVAL)]),
  aggregate('avg', [sig([I2], NUM), sig([I4], NUM), sig([I8], NUM), sig([NUM], NUM), sig([F4], F8), sig([F8], F8), sig([INTERVAL], INTERVAL)]),
  aggregate('min', [...each(ORDERED, (t) => sig([t], t)), sig(['array'], 'array')]),
  aggregate('max', [...each(ORDERED, (t) => sig([t], t)), sig(['array'], 'array')]),
  aggregate('string_agg', [sig([TEXT, TEXT], TEXT), sig([BYTEA, BYTEA], BYTEA)]),
  aggregate('bool_and', [sig([BOOL], BOOL)]),
  aggregate('bool_or', [sig([BOOL], BOOL)]),
  aggregate('every', [sig([BOOL], BOOL)]),
  aggregate('array_agg', [sig(['elem'], 'array')]),
  aggregate('any_value', [sig(['elem'], 'elem')]),
  aggregate('json_agg', [sig(['any'], JSON_)]),
  aggregate('jsonb_agg', [sig(['any'], JSONB)]),
  aggregate('json_object_agg', [sig(['any', 'any'], JSON_)]),
  aggregate('jsonb_object_agg', [sig(['any', 'any'], JSONB)]),
  aggregate('stddev', [sig([F8], F8), sig([NUM], NUM)]),
  aggregate('stddev_samp', [sig([F8], F8), sig([NUM], NUM)]),
  aggregate('stddev_pop', [sig([F8], F8), sig([NUM], NUM)]),
  aggregate('variance', [sig([F8], F8), sig([NUM], NUM)]),
  aggregate('var_samp', [sig([F8], F8), sig([NUM], NUM)]),
  aggregate('var_pop', [sig([F8], F8), sig([NUM], NUM)]),
];

const windowFn = (name: string, signatures: readonly Signature[]): FunctionDef => ({ name, kind: 'window', signatures });

const WINDOWS: readonly FunctionDef[] = [
  windowFn('row_number', [sig([], I8, { notNull: true })]),
  windowFn('rank', [sig([], I8, { notNull: true })]),
  windowFn('dense_rank', [sig([], I8, { notNull: true })]),
  windowFn('percent_rank', [sig([], F8, { notNull: true })]),
  windowFn('cume_dist', [sig([], F8, { notNull: true })]),
  windowFn('ntile', [sig([I4], I4)]),
  windowFn('lag', [sig(['elem'], 'elem'), sig(['elem', I4], 'elem'), sig(['elem', I4, 'elem'], 'elem')]),
  windowFn('lead', [sig(['elem'], 'elem'), sig(['elem', I4], 'elem'), sig(['elem', I4, 'elem'], 'elem')]),
  windowFn('first_value', [sig(['elem'], 'elem')]),
  windowFn('last_value', [sig(['elem'], 'elem')]),
  windowFn('nth_value', [sig(['elem', I4], 'elem')]),
];

const FUNCTIONS = new Map<string, FunctionDef>();
for (const f of [...SCALARS, ...AGGREGATES, ...WINDOWS]) FUNCTIONS.set(f.name, f);

/** Looks up a function by its (folded) name. */
export const lookupFunction = (name: string): FunctionDef | undefined => FUNCTIONS.get(name);

/** Overloads of a binary operator (IR name), or undefined when the operator is unknown. */
export const binaryOperator = (op: string): readonly Signature[] | undefined => BINARY[op];

/** Overloads of a unary operator (IR name: `neg`, `not`, `~`). */
export const unaryOperator = (op: string): readonly Signature[] | undefined => UNARY[op];

/** Every registered function, for completion and documentation. */
export const allFunctions = (): readonly FunctionDef[] => [...FUNCTIONS.values()];

/**
 * Functions the binder handles as special forms because their typing is not a fixed signature:
 * the result is the common type of the arguments.
 */
export const COMMON_TYPE_FUNCTIONS = new Set(['coalesce', 'nullif', 'greatest', 'least']);

/** Set-returning functions allowed in FROM, with the column type computed from the arguments. */
export const TABLE_FUNCTIONS: Readonly<Record<string, readonly Signature[]>> = {
  generate_series: [
    sig([I4, I4], I4), sig([I4, I4, I4], I4),
    sig([I8, I8], I8), sig([I8, I8, I8], I8),
    sig([NUM, NUM], NUM), sig([NUM, NUM, NUM], NUM),
    sig([TS, TS, INTERVAL], TS), sig([TSTZ, TSTZ, INTERVAL], TSTZ),
  ],
  unnest: [sig(['array'], 'elem')],
  jsonb_array_elements: [sig([JSONB], JSONB)],
  json_array_elements: [sig([JSON_], JSON_)],
  jsonb_array_elements_text: [sig([JSONB], TEXT)],
  /** A partition's ancestors (regclass is an int4 OID here); no rows for a relation that is not a partition. */
  pg_partition_ancestors: [sig([I4], I4)],
};
