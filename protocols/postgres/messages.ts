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
  /** FunctionCall (55.2.5 "Function Call"): a function by OID with its arguments, outside any statement. */
  | {
      readonly type: 'function-call';
      readonly oid: number;
      readonly argFormats: readonly number[];
      readonly args: readonly (Uint8Array | null)[];
      readonly resultFormat: number;
    }
  /** PasswordMessage, SASLInitialResponse or SASLResponse: one type byte, told apart by the authentication stage (55.3). */
  | { readonly type: 'password'; readonly data: Uint8Array }
  /** COPY sub-protocol (55.2.6); outside COPY FROM STDIN PostgreSQL ignores them. */
  | { readonly type: 'copy-data'; readonly data: Uint8Array }
  | { readonly type: 'copy-done' }
  | { readonly type: 'copy-fail'; readonly message: string };

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
  copyData: 0x64, // d
  copyDone: 0x63, // c
  copyInResponse: 0x47, // G
  copyOutResponse: 0x48, // H
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
