// `GET /metrics`: the actor runtime's counters and a few process figures in Prometheus' text exposition format 0.0.4.
//
// Format (Prometheus "Exposition formats", text format version 0.0.4): UTF-8 lines ending in \n;
// per metric family one `# HELP name text` (backslash and line feed escaped) and one
// `# TYPE name counter|gauge|histogram` before its samples; a sample is `name{label="value"} number`
// with label values escaping backslash, double quote and line feed; a histogram is cumulative
// `name_bucket{le="…"}` samples ending with `le="+Inf"`, then `name_sum` and `name_count`
// (equal to the +Inf bucket).
import type { ActorStats } from '../../runtime/index.ts';

/** The Content-Type a Prometheus scraper expects for this format. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type MetricType = 'counter' | 'gauge' | 'histogram';

/** One sample line: the family's name plus `suffix` (`_bucket`, `_sum`, `_count` or none), labels and value. */
interface Sample {
  readonly suffix?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly value: number;
}

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly samples: readonly Sample[];
}

/** The process started this many seconds after the epoch (fixed once this module loads). */
const startedAt = Date.now() / 1000 - process.uptime();

/**
 * The exposition text: process figures always, the actor families only when an actor runtime runs
 * beside the engine (`stats` given).
 */
export function encodeMetrics(stats: ActorStats | undefined): string {
  const families: Family[] = processFamilies();
  if (stats !== undefined) families.push(...actorFamilies(stats));
  return families.map(encodeFamily).join('');
}

function processFamilies(): Family[] {
  const cpu = process.cpuUsage();
  return [
    { name: 'process_cpu_seconds_total', help: 'User and system CPU time spent, in seconds.', type: 'counter', samples: [{ value: (cpu.user + cpu.system) / 1e6 }] },
    { name: 'process_resident_memory_bytes', help: 'Resident memory size, in bytes.', type: 'gauge', samples: [{ value: process.memoryUsage.rss() }] },
    { name: 'process_start_time_seconds', help: 'Start time of the process since the Unix epoch, in seconds.', type: 'gauge', samples: [{ value: startedAt }] },
  ];
}

function actorFamilies(s: ActorStats): Family[] {
  const one = (name: string, type: MetricType, help: string, value: number): Family => ({ name, help, type, samples: [{ value }] });
  return [
    one('orbit_actor_activations', 'gauge', 'Live actor activations on this node (keyed and stateless workers).', s.activations),
    one('orbit_actor_activations_total', 'counter', 'Actor activations created on this node since it started.', s.activated),
    one('orbit_actor_deactivations_total', 'counter', 'Actor activations deactivated on this node since it started.', s.deactivated),
    one('orbit_actor_calls_total', 'counter', 'Actor calls run on this node since it started (calls forwarded to another node count there).', s.calls),
    one('orbit_actor_reminders_total', 'counter', 'Reminder deliveries run on this node since it started.', s.reminders),
    one('orbit_actor_mailbox_depth', 'gauge', 'Turns waiting in all actor mailboxes on this node.', s.mailboxDepth),
    latencyFamily(s.callLatency),
  ];
}

/**
 * The runtime's latency buckets as a Prometheus histogram in seconds. Its bucket b counts calls that
 * took under `upperMicros[b]` µs (and at least the previous bound), so the cumulative count up to b
 * is the `le` bucket of that bound (a call of exactly the bound lands one bucket up: the bounds are
 * powers of two µs, which a measured time practically never equals).
 */
function latencyFamily(h: ActorStats['callLatency']): Family {
  const samples: Sample[] = [];
  let cumulative = 0;
  h.counts.forEach((count, b) => {
    cumulative += count;
    const upper = h.upperMicros[b]!;
    samples.push({ suffix: '_bucket', labels: { le: upper === Infinity ? '+Inf' : formatNumber(upper / 1e6) }, value: cumulative });
  });
  samples.push({ suffix: '_sum', value: h.sumMicros / 1e6 }, { suffix: '_count', value: cumulative });
  return {
    name: 'orbit_actor_call_duration_seconds',
    help: `Actor call latency from the call to its answer, queue time included, in seconds. Sampled: one call in ${h.sampleEvery} is timed, so _count is about orbit_actor_calls_total / ${h.sampleEvery}.`,
    type: 'histogram',
    samples,
  };
}

function encodeFamily(f: Family): string {
  let out = `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
  for (const s of f.samples) {
    const labels = s.labels ? `{${Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
    out += `${f.name}${s.suffix ?? ''}${labels} ${formatNumber(s.value)}\n`;
  }
  return out;
}

/** A sample value or bucket bound: Go's float syntax, which Prometheus parses (`+Inf`, `-Inf`, `NaN` spelled its way). */
function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeLabel(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
