/**
 * Next fire times of cron expressions, computed with the process's local calendar (as node-cron
 * does without a timezone) instead of node-cron's `Intl` formatting on every fire. Covers the
 * forms of node-cron's syntax that a field list of numbers describes exactly: `*`, numbers,
 * ranges (wrapping ones too), `/` steps on `*` or a range, comma lists, month and weekday names,
 * weekday 7 as Sunday, 5 or 6 fields. Anything else (`L`, `W`, `#`, `?`, `@daily`) is left to
 * node-cron: {@link compileCron} returns null for it.
 */
import { SlotTimer } from './slot-timer.ts';

/** A cron expression as sets of allowed values, each sorted ascending. */
export interface CronPattern {
  readonly seconds: readonly number[];
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  /** Days of the month, 1–31. */
  readonly days: ReadonlySet<number>;
  /** Months, 1–12. */
  readonly months: ReadonlySet<number>;
  /** Weekdays, 0 (Sunday) – 6. */
  readonly weekdays: ReadonlySet<number>;
}

interface FieldBounds {
  readonly min: number;
  readonly max: number;
}

/** node-cron's field bounds, seconds first (weekday 7 is accepted and read as 0). */
const BOUNDS: readonly FieldBounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12 },
  { min: 0, max: 7 },
];

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_FULL_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const WEEKDAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const WEEKDAY_FULL_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** Days searched ahead for a match, as node-cron (a 29 February on a given weekday can be years away). */
const MAX_DAYS_AHEAD = 366 * 100;

const TOKEN = /^(?:(\*)|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/;

function named(token: string, short: readonly string[], full: readonly string[], first: number): string {
  const lower = token.toLowerCase();
  const at = full.indexOf(lower);
  if (at >= 0) return String(at + first);
  const shortAt = short.indexOf(lower);
  return shortAt >= 0 ? String(shortAt + first) : token;
}

/** The values of one field, or null when a token is not a plain number, range, step or name. */
function field(text: string, index: number): number[] | null {
  const bounds = BOUNDS[index] as FieldBounds;
  const values = new Set<number>();
  for (const raw of text.split(',')) {
    const parts = raw.split('-').map((part) => {
      const [name = '', step] = part.split('/');
      const number = index === 4 ? named(name, MONTH_NAMES, MONTH_FULL_NAMES, 1) : index === 5 ? named(name, WEEKDAY_NAMES, WEEKDAY_FULL_NAMES, 0) : name;
      return step === undefined ? number : `${number}/${step}`;
    });
    const match = TOKEN.exec(parts.join('-'));
    if (match === null) return null;
    const [, star, from, to, stepText] = match;
    if (star === undefined && to === undefined && stepText !== undefined) return null;
    const step = stepText === undefined ? 1 : Number(stepText);
    const first = star !== undefined ? bounds.min : Number(from);
    const last = star !== undefined ? (index === 5 ? 6 : bounds.max) : to !== undefined ? Number(to) : first;
    if (!(step >= 1) || first < bounds.min || first > bounds.max || last < bounds.min || last > bounds.max) return null;
    if (first <= last) {
      for (let v = first; v <= last; v += step) values.add(v);
    } else {
      const max = index === 5 ? 6 : bounds.max;
      const size = max - bounds.min + 1;
      const span = (((last - first) % size) + size) % size;
      for (let offset = 0; offset <= span; offset += step) values.add(first + offset > max ? first + offset - size : first + offset);
    }
  }
  if (index === 5 && values.delete(7)) values.add(0);
  return [...values].sort((a, b) => a - b);
}

/** The pattern of `expression`, or null when it uses a form only node-cron reads (see the module's note). */
export function compileCron(expression: string): CronPattern | null {
  const fields = expression.trim().split(/\s+/);
  if (fields.length === 5) fields.unshift('0');
  if (fields.length !== 6) return null;
  const sets = fields.map((text, index) => field(text, index));
  const [seconds, minutes, hours, days, months, weekdays] = sets;
  if (seconds == null || minutes == null || hours == null || days == null || months == null || weekdays == null) return null;
  return { seconds, minutes, hours, days: new Set(days), months: new Set(months), weekdays: new Set(weekdays) };
}

/**
 * The first fire time of `pattern` after `afterMs` (epoch ms): a whole local second later than
 * the second `afterMs` falls in, as node-cron's next run. A local time the clock skips (a
 * daylight-saving gap) never fires; null when nothing matches within a hundred years.
 */
export function nextCronMs(pattern: CronPattern, afterMs: number): number | null {
  const baseMs = Math.floor(afterMs / 1000) * 1000;
  const base = new Date(baseMs);
  const baseOfDay = base.getHours() * 3600 + base.getMinutes() * 60 + base.getSeconds();
  const day = new Date(base.getFullYear(), base.getMonth(), base.getDate());
  for (let i = 0; i < MAX_DAYS_AHEAD; i++) {
    const y = day.getFullYear();
    const m = day.getMonth();
    const d = day.getDate();
    if (pattern.months.has(m + 1) && pattern.days.has(d) && pattern.weekdays.has(day.getDay())) {
      const found = firstOnDay(pattern, y, m, d, i === 0 ? baseOfDay : -1, baseMs);
      if (found !== null) return found;
    }
    day.setFullYear(y, m, d + 1);
    day.setHours(0, 0, 0, 0);
  }
  return null;
}

function firstOnDay(pattern: CronPattern, y: number, m: number, d: number, afterSecondOfDay: number, baseMs: number): number | null {
  for (const h of pattern.hours) {
    if (h * 3600 + 3599 <= afterSecondOfDay) continue;
    for (const min of pattern.minutes) {
      if (h * 3600 + min * 60 + 59 <= afterSecondOfDay) continue;
      for (const s of pattern.seconds) {
        if (h * 3600 + min * 60 + s <= afterSecondOfDay) continue;
        const at = new Date(y, m, d, h, min, s);
        if (at.getTime() > baseMs && at.getDate() === d && at.getHours() === h && at.getMinutes() === min) return at.getTime();
      }
    }
  }
  return null;
}

/** A {@link SlotTimer} on the fire times of a compiled cron pattern. */
export class CronTimer extends SlotTimer {
  constructor(pattern: CronPattern, clock: { nowMs(): number }, onSlot: (slotMs: number) => void) {
    super((afterMs) => nextCronMs(pattern, afterMs), clock, onSlot);
  }
}
