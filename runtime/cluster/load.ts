// Loads the actor classes a module exports, for `orbit server --actors <module>`.
import { pathToFileURL } from 'node:url';
import { Actor, type ActorClass } from '../actors/index.ts';

/** Every exported class that extends `Actor` and names its `type`; an error if there is none. */
export async function loadActorClasses(path: string): Promise<ActorClass[]> {
  const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  const classes: ActorClass[] = [];
  for (const value of Object.values(mod)) {
    if (typeof value === 'function' && value.prototype instanceof Actor && typeof (value as { type?: unknown }).type === 'string') {
      if (!classes.includes(value as ActorClass)) classes.push(value as ActorClass);
    }
  }
  if (classes.length === 0) throw new Error(`${path} exports no actor class (a class extending Actor with a static \`type\`)`);
  return classes;
}
