// MessagePack encodings: actor arguments and results on the wire, actor states in the directory.
import { Packr } from 'msgpackr';
import type { ActorKey } from '../actors/index.ts';

/** Arguments and results: plain MessagePack maps (no msgpackr records), so other languages can read them. */
const wire = new Packr({ useRecords: false });
/** States keep what the local LMDB store keeps: Map, Set, Date, typed arrays, shared and cyclic references. */
const stateCodec = new Packr({ structuredClone: true });

/** Encodes an argument list or a result. */
export function encodeValue(value: unknown): Uint8Array {
  return wire.pack(value);
}

/** Decodes what `encodeValue` produced; an empty buffer is `undefined` (proto3 omits empty bytes). */
export function decodeValue(bytes: Uint8Array): unknown {
  return bytes.length === 0 ? undefined : wire.unpack(bytes);
}

export function encodeState(state: unknown): Uint8Array {
  return stateCodec.pack(state);
}

export function decodeState(bytes: Uint8Array): unknown {
  return stateCodec.unpack(bytes);
}

/** A string key in the actor's identity; `1` and `'1'` are different actors, so the kind is part of it. */
export function keyText(key: ActorKey): string {
  return typeof key === 'number' ? `n:${key}` : `s:${encodeURIComponent(key)}`;
}

/** Inverse of `keyText`; `undefined` for text it never produced. */
export function parseKeyText(text: string): ActorKey | undefined {
  if (text.startsWith('n:')) {
    const n = Number(text.slice(2));
    return Number.isFinite(n) ? n : undefined;
  }
  if (text.startsWith('s:')) {
    try {
      return decodeURIComponent(text.slice(2));
    } catch {
      return undefined;
    }
  }
  return undefined;
}
