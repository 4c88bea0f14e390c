/**
 * Inlining Prometheus recording rules into the expressions that read them, for evaluators that
 * cannot run recording rules (Cloud Monitoring's PromQL alerting policies). Works on tokens of a
 * small PromQL tokenizer, in one linear scan per expression; every use of a recorded series it
 * cannot rewrite exactly is an error naming the rule, never a silent approximation.
 *
 * Rewrites (R is a recorded series, E its expression with its own recorded series inlined):
 * - `R` → `(E)`;
 * - `R{m...}` → E with the matchers pushed into its selector, when E is a chain of label-preserving
 *   functions of one selector, optionally aggregated `by` every matched label (or `without` none):
 *   filtering the aggregated output on a grouping label is filtering its input on that label;
 * - `R[d]` → `(E)[d:res]`, a subquery whose resolution `res` is the recording rule's evaluation
 *   interval: how the recorded series would have been sampled (`offset` after it is kept);
 * - `R[d:s]` (a subquery) → `(E)[d:s]`.
 */

/** One token of a PromQL expression; `start`/`end` are offsets into the text. */
export interface Token {
  readonly kind: 'ident' | 'number' | 'string' | 'punct' | 'op' | 'space' | 'comment';
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

const IDENT_START = /[A-Za-z_:]/;
const IDENT_PART = /[A-Za-z0-9_:]/;
const NUMBER_PART = /[A-Za-z0-9_.]/;
const PUNCT = new Set(['(', ')', '{', '}', '[', ']', ',', ':', '@']);
const TWO_CHAR_OPS = new Set(['==', '!=', '<=', '>=', '=~', '!~']);
const ONE_CHAR_OPS = new Set(['+', '-', '*', '/', '%', '^', '<', '>', '=']);

/** Splits PromQL text into tokens (whitespace and comments included, so the spans cover it all). */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let bracketDepth = 0;
  while (i < text.length) {
    const start = i;
    const c = text.charAt(i);
    let kind: Token['kind'];
    if (/\s/.test(c)) {
      while (i < text.length && /\s/.test(text.charAt(i))) i++;
      kind = 'space';
    } else if (c === '#') {
      while (i < text.length && text.charAt(i) !== '\n') i++;
      kind = 'comment';
    } else if (c === '"' || c === "'" || c === '`') {
      i++;
      while (i < text.length && text.charAt(i) !== c) i += c !== '`' && text.charAt(i) === '\\' ? 2 : 1;
      if (i >= text.length) throw new Error(`unterminated string at offset ${start}: ${text.slice(start, start + 40)}`);
      i++;
      kind = 'string';
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text.charAt(i + 1)))) {
      const hex = /^0[xX]/.test(text.slice(i, i + 2));
      while (i < text.length) {
        const d = text.charAt(i);
        const exponentSign = !hex && (d === '+' || d === '-') && /[eE]/.test(text.charAt(i - 1));
        if (!NUMBER_PART.test(d) && !exponentSign) break;
        i++;
      }
      kind = 'number';
    } else if (IDENT_START.test(c) && !(c === ':' && bracketDepth > 0)) {
      while (i < text.length && IDENT_PART.test(text.charAt(i))) i++;
      kind = 'ident';
    } else if (TWO_CHAR_OPS.has(text.slice(i, i + 2))) {
      i += 2;
      kind = 'op';
    } else if (ONE_CHAR_OPS.has(c)) {
      i++;
      kind = 'op';
    } else if (PUNCT.has(c)) {
      if (c === '[') bracketDepth++;
      else if (c === ']') bracketDepth--;
      i++;
      kind = 'punct';
    } else {
      throw new Error(`unexpected character ${JSON.stringify(c)} at offset ${start}: ${text.slice(start, start + 40)}`);
    }
    tokens.push({ kind, text: text.slice(start, i), start, end: i });
  }
  return tokens;
}

/** Keywords that take a parenthesised list of label names. */
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
/** Identifiers that are never metric names in metric position. */
const KEYWORDS = new Set([
  ...LABEL_LIST_KEYWORDS,
  'and', 'or', 'unless', 'atan2', 'bool', 'offset', 'inf', 'nan', 'start', 'end',
  'sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio',
]);

/** A label matcher of a selector: `reason!="canary_error"` is `{ label: 'reason', op: '!=', value: '"canary_error"' }`. */
export interface Matcher {
  readonly label: string;
  readonly op: string;
  /** The value as written, quotes included. */
  readonly value: string;
}

/** A metric selector found in an expression, with the token range it spans. */
export interface Selector {
  readonly metric: string;
  readonly matchers: readonly Matcher[];
  /** `[d]` → `d`; null without a range. */
  readonly range: string | null;
  /** `[d:s]` → `d:s` (s may be empty); null when it is not a subquery. */
  readonly subquery: string | null;
  /** The tokens of `offset d` / `@ t` after the selector, as written; empty without. */
  readonly modifiers: string;
  readonly hasAt: boolean;
  /** Offsets into the text: from the metric name to the end of the selector and its modifiers. */
  readonly start: number;
  readonly end: number;
  /** Offset just after the metric name and its `{...}`, where a range would begin. */
  readonly matchersEnd: number;
}

function significant(tokens: readonly Token[]): Token[] {
  return tokens.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
}

/**
 * Every metric selector written with a metric name, in text order: identifiers in metric position
 * (not a function or aggregation name, not a keyword, not a label name inside `{}` or a label
 * list). Throws on a `{__name__=...}` selector, which this module does not rewrite.
 */
export function findSelectors(text: string): Selector[] {
  const toks = significant(tokenize(text));
  const found: Selector[] = [];
  let i = 0;
  const at = (k: number): Token | undefined => toks[k];
  const skipBalanced = (k: number, open: string, close: string): number => {
    let depth = 0;
    for (let j = k; j < toks.length; j++) {
      const t = toks[j];
      if (t?.text === open) depth++;
      else if (t?.text === close && --depth === 0) return j;
    }
    throw new Error(`unbalanced ${open} at offset ${at(k)?.start ?? text.length}`);
  };
  while (i < toks.length) {
    const t = toks[i];
    if (t === undefined) break;
    if (t.kind === 'ident' && LABEL_LIST_KEYWORDS.has(t.text) && at(i + 1)?.text === '(') {
      i = skipBalanced(i + 1, '(', ')') + 1;
      continue;
    }
    if (t.text === '{') {
      const close = skipBalanced(i, '{', '}');
      if (toks.slice(i + 1, close).some((m) => m.text === '__name__')) {
        throw new Error(`a selector by __name__ is not supported: ${text.slice(t.start, at(close)?.end)}`);
      }
      i = close + 1;
      continue;
    }
    const isMetric = t.kind === 'ident' && !KEYWORDS.has(t.text.toLowerCase()) && at(i + 1)?.text !== '(';
    if (!isMetric) {
      i++;
      continue;
    }
    let j = i + 1;
    const matchers: Matcher[] = [];
    if (at(j)?.text === '{') {
      const close = skipBalanced(j, '{', '}');
      const inner = toks.slice(j + 1, close).filter((m) => m.text !== ',');
      if (inner.length % 3 !== 0) throw new Error(`cannot read the matchers of ${t.text}: ${text.slice(at(j)?.start, at(close)?.end)}`);
      for (let k = 0; k < inner.length; k += 3) {
        const [label, op, value] = [inner[k], inner[k + 1], inner[k + 2]];
        if (label?.kind !== 'ident' || op?.kind !== 'op' || value?.kind !== 'string') {
          throw new Error(`cannot read the matchers of ${t.text}: ${text.slice(at(j)?.start, at(close)?.end)}`);
        }
        matchers.push({ label: label.text, op: op.text, value: value.text });
      }
      j = close + 1;
    }
    const matchersEnd = at(j - 1)?.end ?? t.end;
    let range: string | null = null;
    let subquery: string | null = null;
    if (at(j)?.text === '[') {
      const close = skipBalanced(j, '[', ']');
      const inside = text.slice(at(j + 1)?.start, at(close)?.start).replace(/\s+/g, '');
      if (inside.includes(':')) subquery = inside;
      else range = inside;
      j = close + 1;
    }
    let modifiers = '';
    let hasAt = false;
    let end = at(j - 1)?.end ?? t.end;
    while (at(j)?.text === 'offset' || at(j)?.text === '@') {
      if (at(j)?.text === '@') hasAt = true;
      let k = j + 1;
      if (at(k)?.text === '-' || at(k)?.text === '+') k++;
      if (at(k + 1)?.text === '(') k = skipBalanced(k + 1, '(', ')');
      end = at(k)?.end ?? end;
      modifiers += ` ${text.slice(at(j)?.start, end).replace(/\s+/g, ' ')}`;
      j = k + 1;
    }
    found.push({ metric: t.text, matchers, range, subquery, modifiers: modifiers.trim(), hasAt, start: t.start, end, matchersEnd });
    i = j;
  }
  return found;
}

/** Collapses whitespace outside string literals to single spaces (none inside brackets' edges) and drops comments. */
export function compact(text: string): string {
  const kept = tokenize(text).filter((t) => t.kind !== 'comment');
  let out = '';
  let pendingSpace = false;
  for (const t of kept) {
    if (t.kind === 'space') {
      pendingSpace = out !== '';
      continue;
    }
    if (pendingSpace && !/[({[]$/.test(out) && !(t.kind === 'punct' && /^[)}\]]$/.test(t.text))) out += ' ';
    pendingSpace = false;
    out += t.text;
  }
  return out;
}

/** A recording rule as the inliner needs it. */
export interface Recorded {
  readonly record: string;
  readonly expr: string;
  /** How often its group evaluates it, e.g. `30s`: the resolution of subqueries that replace ranges over it. */
  readonly interval: string;
}

/** Functions that keep every label of their argument's series (but the metric name). */
const LABEL_PRESERVING_FUNCTIONS = new Set([
  'rate', 'increase', 'irate', 'delta', 'idelta', 'deriv', 'resets', 'changes',
  'avg_over_time', 'min_over_time', 'max_over_time', 'sum_over_time', 'count_over_time', 'last_over_time', 'present_over_time',
  'abs', 'ceil', 'floor', 'exp', 'ln', 'log2', 'log10', 'sqrt', 'sgn',
]);
const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'count', 'group']);

/**
 * Pushes `matchers` into `expr` when that keeps its result filtered exactly as the matchers would
 * filter it: `expr` (in any number of enclosing parentheses) is a chain of label-preserving
 * functions of one selector, optionally under an aggregation `by` every matched label or
 * `without` none of them. Returns null for any other shape (the caller reports it).
 */
function pushMatchers(expr: string, matchers: readonly Matcher[]): string | null {
  const toks = significant(tokenize(expr));
  const closeOf = new Map<number, number>();
  const open: number[] = [];
  toks.forEach((t, k) => {
    if (t.text === '(') open.push(k);
    else if (t.text === ')') {
      const from = open.pop();
      if (from !== undefined) closeOf.set(from, k);
    }
  });
  const closing = (at: number): number => closeOf.get(at) ?? -1;
  let lo = 0;
  let hi = toks.length;
  while (toks[lo]?.text === '(' && closing(lo) === hi - 1) {
    lo++;
    hi--;
  }
  let keeps = (_label: string): boolean => true;
  if (AGGREGATIONS.has(toks[lo]?.text ?? '')) {
    const labelList = (from: number): { without: boolean; labels: string[]; close: number } | null => {
      const keyword = toks[from]?.text;
      if ((keyword !== 'by' && keyword !== 'without') || toks[from + 1]?.text !== '(') return null;
      const close = closing(from + 1);
      if (close < 0) return null;
      const labels = toks.slice(from + 2, close).filter((t) => t.text !== ',').map((t) => t.text);
      return { without: keyword === 'without', labels, close };
    };
    let grouping = labelList(lo + 1);
    if (grouping !== null) {
      if (toks[grouping.close + 1]?.text !== '(' || closing(grouping.close + 1) !== hi - 1) return null;
      const bodyFrom = grouping.close + 2;
      lo = bodyFrom;
      hi -= 1;
    } else if (toks[lo + 1]?.text === '(') {
      const close = closing(lo + 1);
      grouping = labelList(close + 1);
      if (grouping === null || grouping.close !== hi - 1) return null;
      hi = close;
      lo += 2;
    } else {
      return null;
    }
    const { without, labels } = grouping;
    keeps = (label) => labels.includes(label) !== without;
  }
  if (!matchers.every((m) => m.label !== '__name__' && keeps(m.label))) return null;
  // The body: f1( f2( ... metric{...}[d] ... ) ): functions of the allow-list, one selector, nothing else.
  const selectors = findSelectors(expr);
  const sel = selectors[0];
  if (selectors.length !== 1 || sel === undefined || sel.hasAt || sel.modifiers !== '') return null;
  const bodyToks = toks.slice(lo, hi);
  let k = 0;
  let opened = 0;
  while (bodyToks[k]?.kind === 'ident' && LABEL_PRESERVING_FUNCTIONS.has(bodyToks[k]?.text ?? '') && bodyToks[k + 1]?.text === '(') {
    k += 2;
    opened++;
  }
  if (bodyToks[k]?.start !== sel.start) return null;
  const rest = bodyToks.filter((t) => t.start >= sel.end).map((t) => t.text);
  if (rest.length !== opened || rest.some((x) => x !== ')')) return null;
  const all = [...sel.matchers, ...matchers].map((x) => `${x.label}${x.op}${x.value}`).join(', ');
  return `(${expr.slice(0, sel.start)}${sel.metric}{${all}}${expr.slice(sel.matchersEnd)})`;
}

/**
 * Inlines every recording rule of `records` that `expr` reads, recursively. `where` names the rule
 * for error messages. Throws on a use of a recorded series it cannot rewrite exactly (matchers the
 * recorded expression cannot take, `@`, `offset` without a range, a dependency cycle).
 */
export function inlineRecordingRules(expr: string, records: readonly Recorded[], where: string): string {
  const byName = new Map(records.map((r) => [r.record, r]));
  const done = new Map<string, string>();
  const expand = (text: string, stack: readonly string[]): string => {
    let out = '';
    let last = 0;
    for (const sel of findSelectors(text)) {
      const rec = byName.get(sel.metric);
      if (rec === undefined) continue;
      if (stack.includes(rec.record)) throw new Error(`${where}: recording rules form a cycle: ${[...stack, rec.record].join(' → ')}`);
      let inner = done.get(rec.record);
      if (inner === undefined) {
        inner = compact(expand(rec.expr, [...stack, rec.record]));
        done.set(rec.record, inner);
      }
      const written = text.slice(sel.start, sel.end);
      if (sel.hasAt) throw new Error(`${where}: cannot inline ${written}: the @ modifier on a recorded series is not supported`);
      let replaced: string;
      if (sel.matchers.length === 0) {
        replaced = `(${inner})`;
      } else {
        const pushed = pushMatchers(inner, sel.matchers);
        if (pushed === null) {
          throw new Error(
            `${where}: cannot inline ${written}: its matchers can only be pushed into label-preserving functions of one selector, aggregated by the matched labels if at all, and ${rec.record} is ${inner}`,
          );
        }
        replaced = pushed;
      }
      if (sel.range !== null) replaced = `${replaced}[${sel.range}:${rec.interval}]`;
      else if (sel.subquery !== null) replaced = `${replaced}[${sel.subquery}]`;
      else if (sel.modifiers !== '') throw new Error(`${where}: cannot inline ${written}: offset on an instant recorded series is not supported`);
      if (sel.modifiers !== '') replaced = `${replaced} ${sel.modifiers}`;
      out += text.slice(last, sel.start) + replaced;
      last = sel.end;
    }
    return out + text.slice(last);
  };
  return compact(expand(expr, []));
}

/** The metric names of every selector of `expr` that contain a colon: recording-rule names by convention. */
export function colonMetricNames(expr: string): string[] {
  return findSelectors(expr)
    .map((s) => s.metric)
    .filter((name) => name.includes(':'));
}

const DURATION_UNITS_SECONDS: Readonly<Record<string, number>> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };

/** A Prometheus duration (`1h30m`, `30s`, `500ms`) in seconds; throws on anything else. */
export function durationSeconds(duration: string): number {
  const parts = /^(?:\d+(?:ms|[smhdwy]))+$/.test(duration) ? [...duration.matchAll(/(\d+)(ms|[smhdwy])/g)] : [];
  if (parts.length === 0) throw new Error(`not a Prometheus duration: ${JSON.stringify(duration)}`);
  return parts.reduce((sum, [, n = '0', unit = 's']) => sum + Number(n) * (DURATION_UNITS_SECONDS[unit] ?? Number.NaN), 0);
}

/**
 * How long a rule evaluator must have run before `expr` reads only recorded samples it has
 * written: the longest range (or subquery range) over a recorded series, added up through
 * recorded series that read others. Before that, a recorded series' history begins at the
 * evaluator's start, which its inlined subquery does not have. In seconds; 0 when `expr` reads
 * no recorded series over a range.
 */
export function recordedWarmUpSeconds(expr: string, records: readonly Recorded[]): number {
  const byName = new Map(records.map((r) => [r.record, r]));
  const memo = new Map<string, number>();
  const warmUp = (text: string, stack: readonly string[]): number => {
    let most = 0;
    for (const sel of findSelectors(text)) {
      const rec = byName.get(sel.metric);
      if (rec === undefined || stack.includes(rec.record)) continue;
      let inner = memo.get(rec.record);
      if (inner === undefined) {
        inner = warmUp(rec.expr, [...stack, rec.record]);
        memo.set(rec.record, inner);
      }
      const window = sel.range ?? sel.subquery?.split(':')[0] ?? null;
      most = Math.max(most, inner + (window === null ? 0 : durationSeconds(window)));
    }
    return most;
  };
  return warmUp(expr, []);
}
