// Session settings (SET / SHOW / current_setting): the parameters Orbit knows, with defaults and validation.

import { engineError } from './errors.ts';

interface SettingSpec {
  readonly default: string;
  /** Normalizes a new value or returns undefined when it is invalid. */
  readonly parse?: (v: string) => string | undefined;
  /** Reported to clients (PostgreSQL's ParameterStatus) when it changes. */
  readonly reported?: boolean;
}

const duration = (v: string): string | undefined => {
  const m = /^\s*(\d+)\s*(ms|s|min|h)?\s*$/i.exec(v);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'ms').toLowerCase();
  return String(n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'min' ? 60_000 : 3_600_000));
};

const onOff = (v: string): string | undefined => {
  const s = v.toLowerCase();
  if (['on', 'true', 'yes', '1'].includes(s)) return 'on';
  if (['off', 'false', 'no', '0'].includes(s)) return 'off';
  return undefined;
};

export const SETTINGS: Readonly<Record<string, SettingSpec>> = {
  server_version: { default: '16.0 (Orbit)', reported: true, parse: () => undefined },
  server_encoding: { default: 'UTF8', reported: true, parse: () => undefined },
  client_encoding: { default: 'UTF8', reported: true, parse: (v) => (/^utf-?8$/i.test(v) ? 'UTF8' : undefined) },
  datestyle: { default: 'ISO, MDY', reported: true, parse: (v) => (/iso/i.test(v) ? 'ISO, MDY' : undefined) },
  timezone: { default: 'UTC', reported: true, parse: (v) => (/^(utc|gmt|z|\+?0+(:00)?)$/i.test(v) ? 'UTC' : undefined) },
  intervalstyle: { default: 'postgres', reported: true, parse: (v) => (v.toLowerCase() === 'postgres' ? 'postgres' : undefined) },
  integer_datetimes: { default: 'on', reported: true, parse: () => undefined },
  standard_conforming_strings: { default: 'on', reported: true, parse: (v) => (onOff(v) === 'on' ? 'on' : undefined) },
  application_name: { default: '', reported: true, parse: (v) => v },
  is_superuser: { default: 'on', reported: true, parse: () => undefined },
  session_authorization: { default: 'orbit', reported: true, parse: (v) => v },
  search_path: { default: '"$user", public', parse: (v) => v },
  statement_timeout: { default: '0', parse: duration },
  extra_float_digits: { default: '1', parse: (v) => (/^-?\d+$/.test(v) ? v : undefined) },
  transaction_isolation: { default: 'repeatable read', parse: () => undefined },
  default_transaction_isolation: { default: 'repeatable read', parse: (v) => v.toLowerCase() },
  max_identifier_length: { default: '63', parse: () => undefined },
  lc_collate: { default: 'C', parse: () => undefined },
  lc_ctype: { default: 'C', parse: () => undefined },
  enable_hashjoin: { default: 'on', parse: onOff },
  enable_mergejoin: { default: 'on', parse: onOff },
  enable_nestloop: { default: 'on', parse: onOff },
};

/** One session's settings: defaults, then SET values; names are case-insensitive. */
export class Settings {
  private readonly values = new Map<string, string>();

  get(name: string): string {
    const key = name.toLowerCase();
    const v = this.values.get(key) ?? SETTINGS[key]?.default;
    if (v === undefined) throw engineError('unrecognized_parameter', name);
    return v;
  }

  /** Sets a value (null = RESET to default); returns the normalized value. Custom `a.b` names are accepted as PostgreSQL does. */
  set(name: string, value: string | null): string {
    const key = name.toLowerCase();
    const spec = SETTINGS[key];
    if (!spec && !key.includes('.')) throw engineError('unrecognized_parameter', name);
    if (value === null) {
      this.values.delete(key);
      return this.get(key);
    }
    const parsed = spec?.parse ? spec.parse(value) : value;
    if (parsed === undefined) throw engineError('invalid_parameter', name);
    this.values.set(key, parsed);
    return parsed;
  }

  /** Settings reported to the client at startup and when changed. */
  reported(): [string, string][] {
    const names: Record<string, string> = { datestyle: 'DateStyle', timezone: 'TimeZone', intervalstyle: 'IntervalStyle' };
    return Object.entries(SETTINGS)
      .filter(([, s]) => s.reported)
      .map(([k]) => [names[k] ?? k, this.get(k)]);
  }

  all(): [string, string][] {
    const keys = new Set([...Object.keys(SETTINGS), ...this.values.keys()]);
    return [...keys].sort().map((k) => [k, this.get(k)]);
  }
}
