// Public face of the actor runtime: the Actor base class, the runtime and client, and their error type.
export { Actor, type ActorClass, type ActorKey, type ActorOptions, type ActorRef, type Timer } from './actor.ts';
export { ActorRuntime, type ActivationClaims, type ActivationEntry, type ActorClient, type ActorRuntimeOptions, type ActorStats } from './runtime.ts';
export { type ActorReminderStore, type ActorStateStore, type ReminderRecord } from './store.ts';
export { actorMethods } from './actor.ts';
export { ActorError, ACTOR_ERRORS, type ActorErrorCode } from './errors.ts';
