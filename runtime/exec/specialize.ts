// Per-type copies of hot loops. JavaScriptCore profiles the element types a function's array reads
// see and optimizes for them; one loop fed both Int32Array and Float64Array batches compiles to a
// polymorphic access that runs about half as fast. A copy per array type keeps each monomorphic.

/**
 * A copy of `f` with its own JIT profile, rebuilt from its source. `f` must be self-contained: it
 * may not read module bindings or closure variables (pass what it needs as arguments).
 */
export function freshCopy<F extends (...args: never[]) => unknown>(f: F): F {
  return new Function(`return (${f.toString()});`)() as F;
}
