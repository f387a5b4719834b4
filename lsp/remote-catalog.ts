// A running server's catalog (`GET /v1/catalog` of its REST API) as a compiler Catalog, merged over the schema file's.

import { MemoryCatalog, type Catalog, type CheckInfo, type ColumnInfo, type DataType, type ForeignKeyInfo, type IndexInfo, type RelationInfo } from '../compiler/index.ts';
import { requestJson, type ServerEndpoint } from './remote.ts';

/**
 * Fetches and decodes the server's catalog; throws `RemoteError` when the server cannot be asked.
 * Editor requests wait for the catalog, so an unanswering server is given up on after 5 s unless told otherwise.
 */
export async function fetchServerCatalog(endpoint: ServerEndpoint): Promise<{ catalog: MemoryCatalog; problems: string[] }> {
  return catalogFromJson(await requestJson({ timeoutMs: 5000, ...endpoint }, '/v1/catalog'));
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);

/**
 * Decodes the catalog document (shape in protocols/http/README.md). A relation that does not decode
 * is left out and named in `problems`, so one odd entry does not cost the whole catalog.
 */
export function catalogFromJson(doc: unknown): { catalog: MemoryCatalog; problems: string[] } {
  const catalog = new MemoryCatalog();
  const problems: string[] = [];
  if (!isObj(doc) || !Array.isArray(doc['tables']) || !Array.isArray(doc['views'])) {
    problems.push('the server\'s catalog has no "tables" and "views" lists');
    return { catalog, problems };
  }
  const searchPath = strings(doc['searchPath']);
  if (searchPath && searchPath.length > 0) catalog.searchPath = searchPath;
  let id = 1;
  for (const t of doc['tables'] as unknown[]) {
    const rel = decodeTable(t, id);
    if (typeof rel === 'string') problems.push(rel);
    else {
      catalog.put(rel);
      id++;
    }
  }
  for (const v of doc['views'] as unknown[]) {
    if (!isObj(v) || typeof v['schema'] !== 'string' || typeof v['name'] !== 'string' || typeof v['sql'] !== 'string') {
      problems.push(`a view of the server's catalog is malformed: ${JSON.stringify(v)?.slice(0, 80)}`);
      continue;
    }
    catalog.put({ kind: 'view', schema: v['schema'], name: v['name'], id: id++, sql: v['sql'], columnNames: strings(v['columnNames']) ?? [] });
  }
  return { catalog, problems };
}

function decodeTable(t: unknown, id: number): RelationInfo | string {
  const bad = (what: string): string => `table ${isObj(t) ? String(t['name']) : '?'} of the server's catalog: ${what}`;
  if (!isObj(t) || typeof t['schema'] !== 'string' || typeof t['name'] !== 'string' || !Array.isArray(t['columns'])) return bad('no schema, name or columns');
  const name = t['name'];
  const columns: ColumnInfo[] = [];
  for (const [ordinal, c] of (t['columns'] as unknown[]).entries()) {
    if (!isObj(c) || typeof c['name'] !== 'string' || !isDataType(c['dataType'])) return bad(`column ${ordinal + 1} has no name or data type`);
    columns.push({ name: c['name'], type: c['dataType'], nullable: c['nullable'] !== false, ordinal, ...(typeof c['default'] === 'string' ? { defaultSql: c['default'] } : {}) });
  }
  const indexes: IndexInfo[] = [];
  for (const i of Array.isArray(t['indexes']) ? (t['indexes'] as unknown[]) : []) {
    const cols = isObj(i) ? strings(i['columns']) : undefined;
    if (!isObj(i) || typeof i['name'] !== 'string' || !cols) return bad('an index has no name or columns');
    indexes.push({ name: i['name'], table: name, columns: cols, unique: i['unique'] === true, primary: i['primary'] === true });
  }
  const foreignKeys: ForeignKeyInfo[] = [];
  for (const f of Array.isArray(t['foreignKeys']) ? (t['foreignKeys'] as unknown[]) : []) {
    const cols = isObj(f) ? strings(f['columns']) : undefined;
    const refCols = isObj(f) ? strings(f['refColumns']) : undefined;
    if (!isObj(f) || typeof f['name'] !== 'string' || typeof f['refTable'] !== 'string' || !cols || !refCols) return bad('a foreign key is malformed');
    foreignKeys.push({ name: f['name'], columns: cols, refTable: f['refTable'], refColumns: refCols });
  }
  const checks: CheckInfo[] = [];
  for (const c of Array.isArray(t['checks']) ? (t['checks'] as unknown[]) : []) {
    if (isObj(c) && typeof c['name'] === 'string' && typeof c['sql'] === 'string') checks.push({ name: c['name'], sql: c['sql'] });
  }
  return { kind: 'table', schema: t['schema'], name, id, columns, primaryKey: strings(t['primaryKey']) ?? [], indexes, foreignKeys, checks };
}

/** The kinds of compiler/ir/types.ts a stored column can have, and what each needs beyond its kind. */
function isDataType(v: unknown): v is DataType {
  if (!isObj(v) || typeof v['kind'] !== 'string') return false;
  switch (v['kind']) {
    case 'bool': case 'int16': case 'int32': case 'int64': case 'float32': case 'float64': case 'decimal': case 'utf8':
    case 'binary': case 'uuid': case 'date': case 'interval': case 'node': case 'edge': case 'path':
      return true;
    case 'timestamp':
      return typeof v['tz'] === 'boolean';
    case 'json':
      return typeof v['binary'] === 'boolean';
    case 'list':
      return isDataType(v['element']);
    case 'vector':
      return typeof v['dimension'] === 'number';
    case 'struct':
      return Array.isArray(v['fields']) && (v['fields'] as unknown[]).every((f) => isObj(f) && typeof f['name'] === 'string' && isDataType(f['type']));
    default:
      return false;
  }
}

/**
 * The schema file's relations with the server's laid over them: the server's definition of a name
 * wins, names only in the file stay (a table being designed before it is created). Ids are renumbered
 * so the two sources never collide.
 */
export function mergeCatalogs(file: Catalog, server: Catalog): MemoryCatalog {
  const merged = new MemoryCatalog();
  merged.searchPath = server.searchPath;
  const byName = new Map<string, RelationInfo>();
  for (const r of [...file.listRelations(), ...server.listRelations()]) byName.set(`${r.schema}.${r.name}`, r);
  let id = 1;
  for (const r of byName.values()) merged.put({ ...r, id: id++ });
  return merged;
}
