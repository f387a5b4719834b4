// Collects the young generation when a scan of a large table starts, so that the statement
// reuses the pages its predecessors' short-lived vectors and join tables occupied.
//
// JavaScriptCore sizes the young generation by the heap: with a large warm tier live (hundreds of
// MB of column arrays) the collector lets about 100 MB of new objects pile up before it runs, and
// large arrays are freed back to the kernel soon after they die. New allocations then land on
// pages the process has not touched lately, and each such page costs a page fault on first write:
// in a virtual machine a trip to the hypervisor (10-40 µs measured here). A young collection just
// before a large scan frees what earlier statements left while its pages are still mapped.
// Measured per run of TPC-H Q5 / Q10 / Q1: page faults 3,200 -> 1,300, 12,000 -> 6,300,
// 700-1,900 -> 130, and Q5 and Q10 about 15-20% faster; the collections cost 0.3-3 ms each.
// Point queries read no large table and never pay for it.

/** Tables with at least this many rows count as large. */
const LARGE_TABLE_ROWS = 1 << 16;

/** A sequential scan of a table of `tableRows` rows starts. */
export function startingScan(tableRows: number): void {
  if (tableRows >= LARGE_TABLE_ROWS) Bun.gc(false);
}
