// Dates (days since epoch), timestamps (µs since epoch, UTC) and intervals: PostgreSQL's text forms and arithmetic.

import type { Interval } from '../../compiler/ir/types.ts';
import { civil, dateFromText, daysFromCivil, daysInMonth, intervalFromText, timestampFromText, US_PER_DAY, US_PER_SEC } from '../../compiler/ir/datetime.ts';
import { fail } from './errors.ts';

export { US_PER_SEC, US_PER_DAY, civil, daysFromCivil, daysInMonth } from '../../compiler/ir/datetime.ts';

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

function yearText(y: number): { y: string; bc: string } {
  return y > 0 ? { y: pad(y, 4), bc: '' } : { y: pad(1 - y, 4), bc: ' BC' };
}

export function formatDate(days: number): string {
  const { y, m, d } = civil(days);
  const yt = yearText(y);
  return `${yt.y}-${pad(m, 2)}-${pad(d, 2)}${yt.bc}`;
}

function fracText(us: number): string {
  if (us === 0) return '';
  return '.' + pad(us, 6).replace(/0+$/, '');
}

export function formatTimestamp(us: number, tz: boolean): string {
  const days = Math.floor(us / US_PER_DAY);
  let rem = us - days * US_PER_DAY;
  const { y, m, d } = civil(days);
  const h = Math.floor(rem / 3_600_000_000);
  rem -= h * 3_600_000_000;
  const mi = Math.floor(rem / 60_000_000);
  rem -= mi * 60_000_000;
  const s = Math.floor(rem / US_PER_SEC);
  rem -= s * US_PER_SEC;
  const yt = yearText(y);
  return `${yt.y}-${pad(m, 2)}-${pad(d, 2)} ${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${fracText(Math.round(rem))}${tz ? '+00' : ''}${yt.bc}`;
}

/** A date from text, with PostgreSQL's errors (22007 bad syntax, 22008 field out of range). */
export function parseDate(text: string): number {
  const r = dateFromText(text);
  if (typeof r === 'number') return r;
  return r.error === 'range'
    ? fail('datetime_field_overflow', `date/time field value out of range: "${text}"`)
    : fail('invalid_datetime_format', `invalid input syntax for type date: "${text}"`);
}

/** A timestamp from text, with PostgreSQL's errors. */
export function parseTimestamp(text: string, tz: boolean): number {
  const r = timestampFromText(text, tz);
  if (typeof r === 'number') return r;
  return r.error === 'range'
    ? fail('datetime_field_overflow', `date/time field value out of range: "${text}"`)
    : fail('invalid_datetime_format', `invalid input syntax for type ${tz ? 'timestamp with time zone' : 'timestamp'}: "${text}"`);
}

// ─── Intervals ──────────────────────────────────────────────────────────────

/** Interval input text as a value; invalid text raises PostgreSQL's error. */
export function parseInterval(text: string): Interval {
  return intervalFromText(text) ?? fail('invalid_datetime_format', `invalid input syntax for type interval: "${text}"`);
}

/** PostgreSQL's `postgres` interval style: `1 year 2 mons -3 days +04:05:06.5`. */
export function formatInterval(iv: Interval): string {
  const parts: string[] = [];
  let sawNegative = false;
  const field = (n: number, unit: string): void => {
    if (n === 0) return;
    // After a negative field, positive ones carry an explicit sign, as PostgreSQL prints them.
    parts.push(`${n > 0 && sawNegative ? '+' : ''}${n} ${unit}${n === 1 ? '' : 's'}`);
    if (n < 0) sawNegative = true;
  };
  const y = Math.trunc(iv.months / 12);
  field(y, 'year');
  field(iv.months - y * 12, 'mon');
  field(iv.days, 'day');
  if (iv.micros !== 0 || parts.length === 0) {
    const neg = iv.micros < 0;
    let us = Math.abs(iv.micros);
    const h = Math.floor(us / 3_600_000_000);
    us -= h * 3_600_000_000;
    const mi = Math.floor(us / 60_000_000);
    us -= mi * 60_000_000;
    const sec = Math.floor(us / US_PER_SEC);
    us -= sec * US_PER_SEC;
    const sign = neg ? '-' : sawNegative ? '+' : '';
    parts.push(`${sign}${pad(h, 2)}:${pad(mi, 2)}:${pad(sec, 2)}${fracText(us)}`);
  }
  return parts.join(' ');
}

export function addMonthsToDays(days: number, months: number): number {
  if (months === 0) return days;
  const { y, m, d } = civil(days);
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = total - ny * 12 + 1;
  return daysFromCivil(ny, nm, Math.min(d, daysInMonth(ny, nm)));
}

/** timestamp + interval: months on the calendar, then days, then time. */
export function addInterval(us: number, iv: Interval, sign: 1 | -1): number {
  let t = us;
  if (iv.months !== 0) {
    const days = Math.floor(t / US_PER_DAY);
    const tod = t - days * US_PER_DAY;
    t = addMonthsToDays(days, sign * iv.months) * US_PER_DAY + tod;
  }
  return t + sign * iv.days * US_PER_DAY + sign * iv.micros;
}

/** timestamp - timestamp: whole days plus time, as PostgreSQL's justify_hours leaves it. */
export function subtractTimestamps(a: number, b: number): Interval {
  const diff = a - b;
  const days = Math.trunc(diff / US_PER_DAY);
  return { months: 0, days, micros: diff - days * US_PER_DAY };
}

export const intervalMicros = (iv: Interval): number => iv.months * 30 * US_PER_DAY + iv.days * US_PER_DAY + iv.micros;

/** Interval comparison uses PostgreSQL's 30-day months. */
export const compareIntervals = (a: Interval, b: Interval): number => intervalMicros(a) - intervalMicros(b);

export function multiplyInterval(iv: Interval, f: number): Interval {
  const months = iv.months * f;
  const wholeMonths = Math.trunc(months);
  const days = iv.days * f + (months - wholeMonths) * 30;
  const wholeDays = Math.trunc(days);
  return { months: wholeMonths, days: wholeDays, micros: Math.round(iv.micros * f + (days - wholeDays) * US_PER_DAY) };
}

/** age(a, b): symbolic years/months/days difference, PostgreSQL's algorithm. */
export function age(a: number, b: number): Interval {
  const neg = a < b;
  const [hi, lo] = neg ? [b, a] : [a, b];
  const dh = Math.floor(hi / US_PER_DAY);
  const dl = Math.floor(lo / US_PER_DAY);
  const ch = civil(dh);
  const cl = civil(dl);
  let micros = hi - dh * US_PER_DAY - (lo - dl * US_PER_DAY);
  let days = ch.d - cl.d;
  let months = (ch.y - cl.y) * 12 + (ch.m - cl.m);
  if (micros < 0) {
    micros += US_PER_DAY;
    days--;
  }
  if (days < 0) {
    let pm = ch.m - 1;
    let py = ch.y;
    if (pm === 0) {
      pm = 12;
      py--;
    }
    days += daysInMonth(py, pm);
    months--;
  }
  return neg ? { months: -months, days: -days, micros: -micros } : { months, days, micros };
}

// ─── extract / date_trunc ───────────────────────────────────────────────────

function isoWeek(days: number): { week: number; year: number } {
  const dow = ((days % 7) + 7 + 3) % 7; // Monday = 0
  const thursday = days - dow + 3;
  const { y } = civil(thursday);
  const jan1 = daysFromCivil(y, 1, 1);
  return { week: Math.floor((thursday - jan1) / 7) + 1, year: y };
}

/** extract(field from timestamp µs) as a number (seconds with their fraction). */
export function extractField(field: string, us: number, isDate: boolean): number {
  const days = Math.floor(us / US_PER_DAY);
  const tod = us - days * US_PER_DAY;
  const { y, m, d } = civil(days);
  switch (field.toLowerCase()) {
    case 'year': case 'years': return y > 0 ? y : y - 1;
    case 'month': case 'months': case 'mon': return m;
    case 'day': case 'days': return d;
    case 'hour': case 'hours': return Math.floor(tod / 3_600_000_000);
    case 'minute': case 'minutes': case 'min': return Math.floor(tod / 60_000_000) % 60;
    case 'second': case 'seconds': case 'sec': return (tod % 60_000_000) / US_PER_SEC;
    case 'millisecond': case 'milliseconds': return (tod % 60_000_000) / 1000;
    case 'microsecond': case 'microseconds': return tod % 60_000_000;
    case 'dow': return ((days % 7) + 7 + 4) % 7;
    case 'isodow': return (((days % 7) + 7 + 3) % 7) + 1;
    case 'doy': return days - daysFromCivil(y, 1, 1) + 1;
    case 'quarter': return Math.floor((m - 1) / 3) + 1;
    case 'week': return isoWeek(days).week;
    case 'isoyear': return isoWeek(days).year;
    case 'decade': return Math.floor(y / 10);
    case 'century': return y > 0 ? Math.floor((y + 99) / 100) : -Math.floor((99 - y) / 100);
    case 'millennium': return y > 0 ? Math.floor((y + 999) / 1000) : -Math.floor((999 - y) / 1000);
    case 'epoch': return isDate ? days * 86400 : us / US_PER_SEC;
    case 'julian': return days + 2440588 + tod / US_PER_DAY;
    default: return fail('invalid_parameter_value', `unit "${field}" not supported for type ${isDate ? 'date' : 'timestamp'}`);
  }
}

export function extractFromInterval(field: string, iv: Interval): number {
  switch (field.toLowerCase()) {
    case 'year': case 'years': return Math.trunc(iv.months / 12);
    case 'month': case 'months': case 'mon': return iv.months % 12;
    case 'day': case 'days': return iv.days;
    case 'hour': case 'hours': return Math.trunc(iv.micros / 3_600_000_000);
    case 'minute': case 'minutes': return Math.trunc(iv.micros / 60_000_000) % 60;
    case 'second': case 'seconds': return (iv.micros % 60_000_000) / US_PER_SEC;
    case 'epoch': return Math.trunc(iv.months / 12) * 365.25 * 86400 + (iv.months % 12) * 30 * 86400 + iv.days * 86400 + iv.micros / US_PER_SEC;
    default: return fail('invalid_parameter_value', `unit "${field}" not supported for type interval`);
  }
}

export function dateTrunc(field: string, us: number): number {
  const days = Math.floor(us / US_PER_DAY);
  const tod = us - days * US_PER_DAY;
  const { y, m } = civil(days);
  switch (field.toLowerCase()) {
    case 'microseconds': case 'microsecond': return us;
    case 'milliseconds': case 'millisecond': return Math.floor(us / 1000) * 1000;
    case 'second': case 'seconds': return Math.floor(us / US_PER_SEC) * US_PER_SEC;
    case 'minute': case 'minutes': return Math.floor(us / 60_000_000) * 60_000_000;
    case 'hour': case 'hours': return Math.floor(us / 3_600_000_000) * 3_600_000_000;
    case 'day': case 'days': return days * US_PER_DAY;
    case 'week': case 'weeks': return (days - (((days % 7) + 7 + 3) % 7)) * US_PER_DAY;
    case 'month': case 'months': return daysFromCivil(y, m, 1) * US_PER_DAY;
    case 'quarter': return daysFromCivil(y, Math.floor((m - 1) / 3) * 3 + 1, 1) * US_PER_DAY;
    case 'year': case 'years': return daysFromCivil(y, 1, 1) * US_PER_DAY;
    case 'decade': return daysFromCivil(Math.floor(y / 10) * 10, 1, 1) * US_PER_DAY;
    case 'century': return daysFromCivil(Math.floor((y - 1) / 100) * 100 + 1, 1, 1) * US_PER_DAY;
    case 'millennium': return daysFromCivil(Math.floor((y - 1) / 1000) * 1000 + 1, 1, 1) * US_PER_DAY;
    default:
      void tod;
      return fail('invalid_parameter_value', `unit "${field}" not recognized for type timestamp`);
  }
}

// ─── to_char ────────────────────────────────────────────────────────────────

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const TOKENS = [
  'HH24', 'HH12', 'HH', 'MI', 'SS', 'MS', 'US', 'AM', 'PM', 'am', 'pm', 'A.M.', 'P.M.',
  'YYYY', 'YYY', 'YY', 'Y', 'MONTH', 'Month', 'month', 'MON', 'Mon', 'mon', 'MM',
  'DAY', 'Day', 'day', 'DY', 'Dy', 'dy', 'DDD', 'DD', 'D', 'Q', 'WW', 'IW', 'TZ', 'tz',
];

function casing(s: string, tok: string): string {
  if (tok === tok.toUpperCase()) return s.toUpperCase();
  if (tok === tok.toLowerCase()) return s.toLowerCase();
  return s;
}

/** to_char(timestamp, pattern) with PostgreSQL's common template patterns and FM modifier. */
export function toChar(us: number, pattern: string): string {
  const days = Math.floor(us / US_PER_DAY);
  const tod = us - days * US_PER_DAY;
  const { y, m, d } = civil(days);
  const h = Math.floor(tod / 3_600_000_000);
  const mi = Math.floor(tod / 60_000_000) % 60;
  const s = Math.floor(tod / US_PER_SEC) % 60;
  const dow = ((days % 7) + 7 + 4) % 7;
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    if (pattern[i] === '"') {
      const end = pattern.indexOf('"', i + 1);
      out += pattern.slice(i + 1, end < 0 ? pattern.length : end);
      i = end < 0 ? pattern.length : end + 1;
      continue;
    }
    let fm = false;
    if (pattern.startsWith('FM', i)) {
      fm = true;
      i += 2;
    }
    const tok = TOKENS.find((t) => pattern.startsWith(t, i));
    if (tok === undefined) {
      out += pattern[i];
      i++;
      continue;
    }
    i += tok.length;
    const num = (n: number, w: number): string => (fm ? String(n) : pad(n, w));
    const word = (w: string): string => (fm ? w : w.padEnd(9, ' '));
    switch (tok) {
      case 'HH24': out += num(h, 2); break;
      case 'HH12': case 'HH': out += num(h % 12 === 0 ? 12 : h % 12, 2); break;
      case 'MI': out += num(mi, 2); break;
      case 'SS': out += num(s, 2); break;
      case 'MS': out += num(Math.floor((tod % US_PER_SEC) / 1000), 3); break;
      case 'US': out += num(tod % US_PER_SEC, 6); break;
      case 'AM': case 'PM': out += h < 12 ? 'AM' : 'PM'; break;
      case 'am': case 'pm': out += h < 12 ? 'am' : 'pm'; break;
      case 'A.M.': case 'P.M.': out += h < 12 ? 'A.M.' : 'P.M.'; break;
      case 'YYYY': out += num(y, 4); break;
      case 'YYY': out += num(y % 1000, 3); break;
      case 'YY': out += num(y % 100, 2); break;
      case 'Y': out += String(y % 10); break;
      case 'MONTH': case 'Month': case 'month': out += casing(word(MONTHS[m - 1]!), tok); break;
      case 'MON': case 'Mon': case 'mon': out += casing(MONTHS[m - 1]!.slice(0, 3), tok); break;
      case 'MM': out += num(m, 2); break;
      case 'DAY': case 'Day': case 'day': out += casing(word(DAYS[dow]!), tok); break;
      case 'DY': case 'Dy': case 'dy': out += casing(DAYS[dow]!.slice(0, 3), tok); break;
      case 'DDD': out += num(days - daysFromCivil(y, 1, 1) + 1, 3); break;
      case 'DD': out += num(d, 2); break;
      case 'D': out += String(dow + 1); break;
      case 'Q': out += String(Math.floor((m - 1) / 3) + 1); break;
      case 'WW': out += num(Math.floor((days - daysFromCivil(y, 1, 1)) / 7) + 1, 2); break;
      case 'IW': out += num(isoWeek(days).week, 2); break;
      case 'TZ': out += 'UTC'; break;
      case 'tz': out += 'utc'; break;
    }
  }
  return out;
}
