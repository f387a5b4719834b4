// PostgreSQL's text output forms for values in the IR's conventions (CLI tables, CSV, text-format wire results).
import type { DataType, Interval } from '../../compiler/index.ts';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Days since 1970-01-01 → `YYYY-MM-DD` (years before 1 print with ` BC`, as PostgreSQL does). */
export function formatDate(days: number): string {
  if (!Number.isFinite(days)) return days > 0 ? 'infinity' : '-infinity';
  const d = new Date(days * 86_400_000);
  const y = d.getUTCFullYear();
  const ymd = `${pad(y <= 0 ? 1 - y : y, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return y <= 0 ? `${ymd} BC` : ymd;
}

/** Microseconds since the epoch → `YYYY-MM-DD HH:MM:SS[.ffffff]`, with `+00` for timestamptz (session time zone UTC). */
export function formatTimestamp(micros: number, tz: boolean): string {
  if (!Number.isFinite(micros)) return micros > 0 ? 'infinity' : '-infinity';
  const secs = Math.floor(micros / 1_000_000);
  const frac = micros - secs * 1_000_000;
  const d = new Date(secs * 1000);
  const date = formatDate(Math.floor(d.getTime() / 86_400_000));
  const [ymd, bc] = date.split(' ');
  let time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  if (frac > 0) time += `.${pad(Math.round(frac), 6).replace(/0+$/, '')}`;
  return `${ymd} ${time}${tz ? '+00' : ''}${bc ? ` ${bc}` : ''}`;
}

/** PostgreSQL's default `IntervalStyle = postgres` output: `1 year 2 mons 3 days 04:05:06.5`. */
export function formatInterval(iv: Interval): string {
  const parts: string[] = [];
  const years = Math.trunc(iv.months / 12);
  const months = iv.months % 12;
  const unit = (n: number, one: string, many: string) => parts.push(`${n} ${Math.abs(n) === 1 ? one : many}`);
  if (years) unit(years, 'year', 'years');
  if (months) unit(months, 'mon', 'mons');
  if (iv.days) unit(iv.days, 'day', 'days');
  if (iv.micros || parts.length === 0) {
    const neg = iv.micros < 0;
    let us = Math.abs(iv.micros);
    const h = Math.floor(us / 3_600_000_000);
    us -= h * 3_600_000_000;
    const m = Math.floor(us / 60_000_000);
    us -= m * 60_000_000;
    const s = Math.floor(us / 1_000_000);
    us -= s * 1_000_000;
    let t = `${neg ? '-' : ''}${pad(h)}:${pad(m)}:${pad(s)}`;
    if (us > 0) t += `.${pad(us, 6).replace(/0+$/, '')}`;
    if (iv.micros || parts.length === 0) parts.push(t);
  }
  return parts.join(' ');
}

/** Float output as PostgreSQL ≥ 12 prints it: shortest exact digits, exponent form outside [1e-4, 1e15). */
export function formatFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (Object.is(n, -0)) return '-0';
  const a = Math.abs(n);
  if (a !== 0 && (a >= 1e15 || a < 1e-4)) {
    const [mant, exp] = n.toExponential().split('e') as [string, string];
    const sign = exp.startsWith('-') ? '-' : '+';
    return `${mant}e${sign}${exp.replace(/^[+-]/, '').padStart(2, '0')}`;
  }
  return String(n);
}

/** jsonb's canonical output: `{"a": 1, "b": [1, 2]}`. */
export function formatJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(formatJson).join(', ')}]`;
  return `{${Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${JSON.stringify(k)}: ${formatJson(x)}`)
    .join(', ')}}`;
}

function arrayElement(v: unknown, t: DataType): string {
  if (v === null || v === undefined) return 'NULL';
  const s = formatValue(v, t) ?? 'NULL';
  return s === '' || /[{}",\\\s]/.test(s) || /^null$/i.test(s) ? `"${s.replace(/[\\"]/g, '\\$&')}"` : s;
}

const hex = (b: Uint8Array): string => {
  let s = '\\x';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
};

/** Formats one non-null value of type `t` in PostgreSQL's text form; `null` → null. */
export function formatValue(v: unknown, t: DataType): string | null {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case 'bool':
      return v ? 't' : 'f';
    case 'float32':
    case 'float64':
      return formatFloat(v as number);
    case 'date':
      return formatDate(v as number);
    case 'timestamp':
      return formatTimestamp(v as number, t.tz);
    case 'interval':
      return formatInterval(v as Interval);
    case 'binary':
      return hex(v as Uint8Array);
    case 'json':
      return formatJson(v);
    case 'list':
      return `{${(v as readonly unknown[]).map((x) => arrayElement(x, t.element)).join(',')}}`;
    case 'struct':
      return `(${t.fields.map((f) => formatValue((v as Record<string, unknown>)[f.name], f.type) ?? '').join(',')})`;
    case 'vector':
      return `[${Array.from(v as Float32Array).join(',')}]`;
    default:
      return typeof v === 'string' ? v : String(v);
  }
}
