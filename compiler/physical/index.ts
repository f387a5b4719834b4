// The physical layer's public face: plan descriptions and the planner that produces them.
export * from './plan.ts';
export { planPhysical, NESTED_LOOP_MAX_PAIRS, type PlanPhysicalOptions } from './planner.ts';
