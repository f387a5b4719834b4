// PostgreSQL's date, timestamp and interval input syntax and calendar arithmetic: one
// implementation for the binder's compile-time literals, constant folding and the executor's
// casts, so they always agree.

import type { Interval } from './types.ts';

export const US_PER_SEC = 1_000_000;
export const US_PER_DAY = 86_400_000_000;

/** Why a text is not a valid date/time: bad syntax (22007) or a field out of range (22008). */
export type DateTimeInputError = { readonly error: 'syntax' | 'range' };

const SYNTAX: DateTimeInputError = { error: 'syntax' };
const RANGE: DateTimeInputError = { error: 'range' };

/** Civil date of a day number (proleptic Gregorian). */
export function civil(days: number): { y: number; m: number; d: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

/** Day number (days since 1970-01-01) of a civil date. */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
export const daysInMonth = (y: number, m: number): number => (m === 2 ? (isLeap(y) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!);

const DATE_RE = /^\s*(\d{1,7})-(\d{1,2})-(\d{1,2})(?:\s*(BC|AD))?\s*$/i;
const TS_RE = /^\s*(\d{1,7})-(\d{1,2})-(\d{1,2})(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{1,2}(?::?\d{2})?)?(?:\s*(BC|AD))?\s*$/i;

const validYmd = (y: number, m: number, d: number): boolean => m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);

/** `YYYY-MM-DD [BC]` (or a timestamp, whose date part is taken), `epoch` → days since the epoch. */
export function dateFromText(text: string): number | DateTimeInputError {
  if (text.trim().toLowerCase() === 'epoch') return 0;
  const m = DATE_RE.exec(text);
  if (!m) {
    if (!TS_RE.test(text)) return SYNTAX;
    const us = timestampFromText(text, false);
    return typeof us === 'number' ? Math.floor(us / US_PER_DAY) : us;
  }
  let y = Number(m[1]);
  if (m[4] && m[4].toUpperCase() === 'BC') y = 1 - y;
  const mo = Number(m[2]);
  const d = Number(m[3]);
  return validYmd(y, mo, d) ? daysFromCivil(y, mo, d) : RANGE;
}

/**
 * `YYYY-MM-DD[ T]HH:MM[:SS[.f]][Z|±HH[:MM]] [BC]`, `epoch` → µs since the epoch. A timestamp
 * without time zone ignores an offset, as PostgreSQL does; with time zone it converts to UTC.
 */
export function timestampFromText(text: string, tz: boolean): number | DateTimeInputError {
  if (text.trim().toLowerCase() === 'epoch') return 0;
  const m = TS_RE.exec(text);
  if (!m) return SYNTAX;
  let y = Number(m[1]);
  if (m[9] && m[9].toUpperCase() === 'BC') y = 1 - y;
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (!validYmd(y, mo, d)) return RANGE;
  const h = m[4] ? Number(m[4]) : 0;
  const mi = m[5] ? Number(m[5]) : 0;
  const s = m[6] ? Number(m[6]) : 0;
  if (h > 24 || mi > 59 || s > 60) return RANGE;
  const frac = m[7] ? Math.round(Number('0.' + m[7]) * US_PER_SEC) : 0;
  let us = daysFromCivil(y, mo, d) * US_PER_DAY + ((h * 60 + mi) * 60 + s) * US_PER_SEC + frac;
  if (tz && m[8] && m[8].toUpperCase() !== 'Z') {
    const om = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(m[8])!;
    const off = (Number(om[2]) * 60 + (om[3] ? Number(om[3]) : 0)) * 60 * US_PER_SEC;
    us -= om[1] === '-' ? -off : off;
  }
  return us;
}

const UNIT_ALIASES: Readonly<Record<string, string>> = {
  microsecond: 'us', microseconds: 'us', us: 'us', usec: 'us', usecs: 'us',
  millisecond: 'ms', milliseconds: 'ms', ms: 'ms', msec: 'ms', msecs: 'ms',
  second: 's', seconds: 's', sec: 's', secs: 's', s: 's',
  minute: 'min', minutes: 'min', min: 'min', mins: 'min', m: 'min',
  hour: 'h', hours: 'h', hr: 'h', hrs: 'h', h: 'h',
  day: 'd', days: 'd', d: 'd',
  week: 'w', weeks: 'w', w: 'w',
  month: 'mon', months: 'mon', mon: 'mon', mons: 'mon',
  year: 'y', years: 'y', yr: 'y', yrs: 'y', y: 'y',
  decade: 'dec', decades: 'dec', century: 'c', centuries: 'c', millennium: 'mil', millennia: 'mil',
};

/** Months per unit of the units that count whole months (fractions round to months, as PostgreSQL does). */
const MONTHS: Readonly<Record<string, number>> = { y: 12, dec: 120, c: 1200, mil: 12000 };
const MICROS: Readonly<Record<string, number>> = { us: 1, ms: 1000, s: US_PER_SEC, min: 60 * US_PER_SEC, h: 3600 * US_PER_SEC };

/**
 * PostgreSQL interval input: `3 days`, `1 year 2 mons`, `04:05:06`, `-1 day +02:00`, `@ 1 hour ago`,
 * and a bare number whose unit is the field qualifier (`INTERVAL '90' DAY`) or seconds. Fractions
 * spill into smaller units as PostgreSQL spills them. Undefined when the text is not an interval.
 */
export function intervalFromText(text: string, qualifier?: string): Interval | undefined {
  let months = 0;
  let days = 0;
  let micros = 0;
  const src = text.trim().replace(/^@\s*/, '');
  const ago = /(^|\s)ago$/i.test(src);
  const body = ago ? src.replace(/\s*ago$/i, '') : src;
  const re = /([+-]?\d+(?::\d+){1,2}(?:\.\d+)?)|([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)(?:\s*([a-z]+))?/giy;
  const bareUnit = qualifier ? UNIT_ALIASES[qualifier.trim().split(/\s+/)[0]!.toLowerCase()] : 's';
  let pos = 0;
  let matched = false;
  while (pos < body.length) {
    while (pos < body.length && /[\s,]/.test(body[pos]!)) pos++;
    if (pos >= body.length) break;
    re.lastIndex = pos;
    const m = re.exec(body);
    if (!m) return undefined;
    matched = true;
    pos = re.lastIndex;
    if (m[1] !== undefined) {
      const neg = m[1].startsWith('-');
      const [h, mi, sec] = m[1].replace(/^[+-]/, '').split(':');
      const t = (Number(h) * 3600 + Number(mi) * 60 + Number(sec ?? 0)) * US_PER_SEC;
      micros += neg ? -t : t;
      continue;
    }
    const n = Number(m[2]);
    const unit = m[3] !== undefined ? UNIT_ALIASES[m[3].toLowerCase()] : bareUnit;
    if (unit === undefined || !Number.isFinite(n)) return undefined;
    const whole = Math.trunc(n);
    if (unit in MICROS) micros += n * MICROS[unit]!;
    else if (unit in MONTHS) months += Math.round(n * MONTHS[unit]!);
    else if (unit === 'mon') {
      months += whole;
      days += Math.round((n - whole) * 30);
    } else {
      const d = unit === 'w' ? n * 7 : n;
      const dw = Math.trunc(d);
      days += dw;
      micros += (d - dw) * US_PER_DAY;
    }
  }
  if (!matched) return undefined;
  // `+ 0` turns a negated zero into a plain zero.
  const sign = ago ? -1 : 1;
  return { months: sign * months + 0, days: sign * days + 0, micros: Math.round(sign * micros) + 0 };
}
