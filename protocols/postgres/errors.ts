// Our errors → ErrorResponse/NoticeResponse fields (docs 55.8 "Error and Notice Message Fields").
import type { Notice } from '../../runtime/index.ts';
import { OrbitError, toOrbitError } from '../../runtime/index.ts';
import { ByteWriter } from '../kit/bytes.ts';
import { ProtocolViolation } from './codec.ts';
import { B } from './messages.ts';

/** Field type bytes: S and V severity, C SQLSTATE, M message, D detail, H hint, P position, W context. */
const F = { severity: 0x53, severityRaw: 0x56, code: 0x43, message: 0x4d, detail: 0x44, hint: 0x48, position: 0x50, where: 0x57 } as const;

/** Anything thrown while serving a message, as the error the client sees. */
export function asOrbitError(e: unknown): OrbitError {
  if (e instanceof ProtocolViolation) return new OrbitError(e.sqlstate, e.message, { severity: 'FATAL' });
  return toOrbitError(e);
}

/** Writes an ErrorResponse for `e`. */
export function writeError(w: ByteWriter, e: OrbitError): void {
  const fields: [number, string][] = [
    [F.severity, e.severity],
    [F.severityRaw, e.severity],
    [F.code, e.sqlstate],
    [F.message, e.message],
  ];
  if (e.detail !== undefined) fields.push([F.detail, e.detail]);
  if (e.hint !== undefined) fields.push([F.hint, e.hint]);
  if (e.position !== undefined) fields.push([F.position, String(e.position)]);
  if (e.where !== undefined) fields.push([F.where, e.where]);
  writeFields(w, B.errorResponse, fields);
}

/** Writes a NoticeResponse for an engine notice. */
export function writeNotice(w: ByteWriter, n: Notice): void {
  writeFields(w, B.noticeResponse, [
    [F.severity, n.severity],
    [F.severityRaw, n.severity],
    [F.code, n.sqlstate],
    [F.message, n.message],
  ]);
}

function writeFields(w: ByteWriter, type: number, fields: readonly [number, string][]): void {
  w.u8(type);
  const at = w.length;
  w.i32(0);
  for (const [k, v] of fields) w.u8(k).cstring(v);
  w.u8(0);
  w.patch32(at, w.length - at);
}
