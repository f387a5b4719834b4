// Public face of the function registry: signatures and result types, cast rules, overload resolution.

export {
  lookupFunction, binaryOperator, unaryOperator, allFunctions, COMMON_TYPE_FUNCTIONS, TABLE_FUNCTIONS,
  type ArgSpec, type ResultSpec, type Signature, type FunctionDef, type FunctionKind,
} from './registry.ts';
export { category, isPreferred, sameBase, canImplicitCast, canAssignCast, canExplicitCast, selectCommonType, dropTypmods, type Category } from './casts.ts';
export { resolveOverload, type Resolved, type Resolution } from './resolve.ts';
