// EXPLAIN's public face: text, JSON and Graphviz renderings of a physical query, with an ANALYZE hook.
export { explainText, formatEstimate } from './text.ts';
export { explainJson, explainTree, type ExplainNode } from './json.ts';
export { explainDot } from './dot.ts';
export { nodeTitle, nodeDetails, physicalChildren, preorder, type ActualStats, type ExplainOptions } from './nodes.ts';
