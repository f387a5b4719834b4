// Language-service latency (run by hand: `bun tests/bench/lsp.bench.ts`): diagnostics and completion on a
// 2,000-line OrbitQL document after a one-character edit, against the targets of 50 ms and 20 ms.
//
// Each timed request follows an edit, so it pays for a fresh analysis of the whole document, as an
// editor's first request after a keystroke does. The figures print beside the plain SQL compile of the
// same statements, the peer the language service is built on.

import { catalogFromSchema, compileSql } from '../../compiler/index.ts';
import { LanguageService } from '../../compiler/ide/index.ts';

const { catalog } = catalogFromSchema(`
  CREATE TABLE people (id text PRIMARY KEY, name text NOT NULL, age int, profile jsonb, seen timestamptz);
  CREATE TABLE orders (id int PRIMARY KEY, person text, total numeric(10,2), placed timestamptz);
`);

const statement = (i: number) =>
  [
    `SELECT p.name, string::upper(p.name), count(o.id) AS n, sum(o.total)`,
    `FROM people p JOIN orders o ON o.person = p.id`,
    `WHERE p.age > ${i % 90} AND o.placed > time::now() - 7d AND p.profile.address.city = 'Rome'`,
    `GROUP BY p.name ORDER BY n DESC LIMIT ${i + 1};`,
  ].join('\n');
const statements: string[] = [];
// Four lines per statement: 500 statements make 2,000 lines.
for (let i = 0; i < 500; i++) statements.push(statement(i));
const doc = statements.join('\n');
const sqlDoc = doc.replace(/string::upper/g, 'upper').replace(/time::now\(\)/g, 'now()').replace(/ 7d/g, " INTERVAL '7 day'").replace(/p\.profile\.address\.city/g, "(p.profile -> 'address' ->> 'city')");

function median(times: number[]): number {
  return [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

const service = new LanguageService(catalog);
const RUNS = 5;
const diag: number[] = [];
const comp: number[] = [];
const peer: number[] = [];
const cursor = doc.indexOf('p.name', doc.length / 2) + 2;
for (let r = 0; r < RUNS + 3; r++) {
  // A different one-character edit each round, so no analysis is reused.
  const edited = doc.slice(0, cursor - 2) + (r % 2 ? 'p' : 'p ') + doc.slice(cursor - 1);
  let t = performance.now();
  service.diagnostics(edited);
  const d = performance.now() - t;
  const edited2 = edited + ' ';
  t = performance.now();
  service.completion(edited2, cursor);
  const c = performance.now() - t;
  t = performance.now();
  compileSql(sqlDoc, catalog, { plan: false });
  const p = performance.now() - t;
  if (r >= 3) {
    diag.push(d);
    comp.push(c);
    peer.push(p);
  }
}
console.log(`document: ${doc.split('\n').length} lines, ${statements.length} statements`);
console.log(`diagnostics after an edit: median ${median(diag).toFixed(1)} ms (target 50 ms)`);
console.log(`completion after an edit:  median ${median(comp).toFixed(1)} ms (target 20 ms)`);
console.log(`peer, compileSql of the same statements (bind only): median ${median(peer).toFixed(1)} ms; diagnostics/peer ${(median(diag) / median(peer)).toFixed(2)}x`);
