// Typed frontend messages of PostgreSQL's protocol 3.0 (docs: "Message Formats", 55.7) and backend type bytes.

/** Startup-phase packets (55.2.1): no type byte, a length and a request code. */
export type StartupMessage =
  | { readonly type: 'startup'; readonly params: Readonly<Record<string, string>> }
  | { readonly type: 'ssl-request' }
  | { readonly type: 'gssenc-request' }
  | { readonly type: 'cancel'; readonly pid: number; readonly secret: number };

/** Messages of the normal phase (simple and extended query, 55.2.2–55.2.3). */
export type FrontendMessage =
  | { readonly type: 'query'; readonly sql: string }
  | { readonly type: 'parse'; readonly name: string; readonly sql: string; readonly paramOids: readonly number[] }
  | {
      readonly type: 'bind';
      readonly portal: string;
      readonly statement: string;
      readonly paramFormats: readonly number[];
      /** Raw parameter bytes; null is SQL NULL. */
      readonly params: readonly (Uint8Array | null)[];
      readonly resultFormats: readonly number[];
    }
  | { readonly type: 'describe'; readonly target: 'S' | 'P'; readonly name: string }
  | { readonly type: 'execute'; readonly portal: string; readonly maxRows: number }
  | { readonly type: 'close'; readonly target: 'S' | 'P'; readonly name: string }
  | { readonly type: 'sync' }
  | { readonly type: 'flush' }
  | { readonly type: 'terminate' }
  /** CopyData/CopyDone/CopyFail outside COPY mode: PostgreSQL ignores them. */
  | { readonly type: 'copy-ignored' };

/** Request codes in the startup packet's second int32. */
export const PROTOCOL_3_0 = 196608;
export const SSL_REQUEST = 80877103;
export const GSSENC_REQUEST = 80877104;
export const CANCEL_REQUEST = 80877102;

/** Backend message type bytes (55.7). */
export const B = {
  authentication: 0x52, // R
  backendKeyData: 0x4b, // K
  bindComplete: 0x32, // 2
  closeComplete: 0x33, // 3
  commandComplete: 0x43, // C
  dataRow: 0x44, // D
  emptyQueryResponse: 0x49, // I
  errorResponse: 0x45, // E
  noData: 0x6e, // n
  noticeResponse: 0x4e, // N
  parameterDescription: 0x74, // t
  parameterStatus: 0x53, // S
  parseComplete: 0x31, // 1
  portalSuspended: 0x73, // s
  readyForQuery: 0x5a, // Z
  rowDescription: 0x54, // T
} as const;
