/**
 * Reading the PromQL out of the shipped Grafana dashboard (deploy/grafana/canary-dashboard.json):
 * every query expression, the metric names an expression selects, and the substitution of the
 * Grafana variables that turns a dashboard expression into plain PromQL. Used by the static
 * dashboard test and by the live test against a real Prometheus.
 */

/** One PromQL expression of the dashboard and the title of the panel that runs it. */
export interface DashboardExpression {
  readonly panel: string;
  readonly expr: string;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * Every PromQL expression of a dashboard, in panel order: the `expr` of each target of each panel,
 * including panels nested in collapsed rows, and of Prometheus annotation queries. Variable queries
 * (`label_values(...)`) are Grafana syntax, not PromQL, and are not included.
 */
export function dashboardExpressions(json: unknown): DashboardExpression[] {
  const found: DashboardExpression[] = [];
  const visit = (panels: unknown): void => {
    for (const panel of arrayOf(panels)) {
      if (!isObject(panel)) continue;
      const title = typeof panel['title'] === 'string' && panel['title'] !== '' ? panel['title'] : `panel ${String(panel['id'])}`;
      for (const target of arrayOf(panel['targets'])) {
        if (isObject(target) && typeof target['expr'] === 'string' && target['expr'].trim() !== '') found.push({ panel: title, expr: target['expr'] });
      }
      visit(panel['panels']);
    }
  };
  if (!isObject(json)) return found;
  visit(json['panels']);
  const annotations = isObject(json['annotations']) ? arrayOf(json['annotations']['list']) : [];
  for (const annotation of annotations) {
    if (isObject(annotation) && typeof annotation['expr'] === 'string' && annotation['expr'].trim() !== '') {
      found.push({ panel: `annotation ${String(annotation['name'])}`, expr: annotation['expr'] });
    }
  }
  return found;
}

/**
 * The Grafana variables a dashboard expression may use, and what each becomes in plain PromQL:
 * the template variables are multi-value regexes whose All is `.*`; the interval macros become
 * fixed durations.
 */
export const GRAFANA_SUBSTITUTIONS: Readonly<Record<string, string>> = {
  $__rate_interval: '1m',
  $__interval: '1m',
  $__range: '1h',
  $target: '.*',
  $check: '.*',
  $location: '.*',
};

/**
 * Replaces the Grafana variables of {@link GRAFANA_SUBSTITUTIONS} (also written `${name}`) in
 * `expr`. Anything else that looks like a variable is left alone, so a check for a leftover `$`
 * finds it.
 */
export function substituteGrafanaVariables(expr: string): string {
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole: string, braced: string | undefined, bare: string | undefined) => {
    const name = `$${braced ?? bare ?? ''}`;
    return GRAFANA_SUBSTITUTIONS[name] ?? whole;
  });
}

/** Aggregation operators: followed by `(` or by a `by`/`without` clause. */
const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio']);
/** Keywords followed by a parenthesised list of label names. */
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
/** Other keywords and literals that look like identifiers. */
const KEYWORDS = new Set(['bool', 'and', 'or', 'unless', 'offset', 'atan2', 'inf', 'nan']);

const IDENTIFIER = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const NUMBER = /^(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)[a-zA-Z0-9_]*/;

/** The index just past the string literal that starts at `start` (a `"`, `'` or backquote). */
function skipString(text: string, start: number): number {
  const quote = text[start];
  let i = start + 1;
  while (i < text.length && text[i] !== quote) i += quote !== '`' && text[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** The value of a string literal (escapes of the quote and backslash resolved; enough for metric names). */
function stringValue(literal: string): string {
  const body = literal.slice(1, -1);
  return literal.startsWith('`') ? body : body.replace(/\\(.)/g, '$1');
}

/** The index just past the bracket pair that opens at `start`, skipping string literals inside. */
function skipBalanced(text: string, start: number, open: string, close: string): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const c = text[i];
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(text, i);
      continue;
    }
    if (c === open) depth += 1;
    else if (c === close) {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
    i += 1;
  }
  return text.length;
}

function skipSpace(text: string, start: number): number {
  let i = start;
  while (i < text.length && /\s/.test(text[i] ?? '')) i += 1;
  return i;
}

/** `__name__="x"` matchers inside a selector's braces: the names they select exactly. */
function namesInBraces(braces: string): string[] {
  const names: string[] = [];
  const matcher = /__name__\s*=\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)/g;
  for (const match of braces.matchAll(matcher)) names.push(stringValue(match[1] ?? '""'));
  const other = /__name__\s*(?:!=|=~|!~)/.exec(braces);
  if (other !== null) names.push(`__name__ matcher ${braces}`);
  return names;
}

/**
 * The metric names a PromQL expression selects, each once, in order of appearance. Function and
 * aggregation names, keywords (by, without, on, ignoring, group_left, group_right, bool, and, or,
 * unless, offset...), the label names of `by (...)` and similar lists, everything inside `{...}`
 * and `[...]` (label matchers, ranges) and string and number literals are not metric names. A
 * selector by `__name__` yields the exact name, or a text that is no metric name when it uses a
 * regex or negation, so a check against known names rejects it. Grafana variables (`$x`, `${x}`)
 * are skipped.
 */
export function metricNames(expr: string): string[] {
  const names: string[] = [];
  const note = (name: string): void => {
    if (!names.includes(name)) names.push(name);
  };
  let i = 0;
  while (i < expr.length) {
    const c = expr[i] ?? '';
    const rest = expr.slice(i);
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(expr, i);
    } else if (c === '#') {
      const end = expr.indexOf('\n', i);
      i = end === -1 ? expr.length : end + 1;
    } else if (c === '{') {
      const end = skipBalanced(expr, i, '{', '}');
      namesInBraces(expr.slice(i, end)).forEach(note);
      i = end;
    } else if (c === '[') {
      i = skipBalanced(expr, i, '[', ']');
    } else if (c === '$') {
      const variable = /^\$(?:\{[^}]*\}|\w+)/.exec(rest);
      i += variable === null ? 1 : variable[0].length;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(expr[i + 1] ?? ''))) {
      i += NUMBER.exec(rest)?.[0].length ?? 1;
    } else if (IDENTIFIER.test(rest)) {
      const word = IDENTIFIER.exec(rest)?.[0] ?? '';
      const lower = word.toLowerCase();
      i += word.length;
      const next = skipSpace(expr, i);
      const following = expr[next];
      if (LABEL_LIST_KEYWORDS.has(lower)) {
        if (following === '(') i = skipBalanced(expr, next, '(', ')');
      } else if (KEYWORDS.has(lower)) {
        // an operator, a modifier or a literal
      } else if (following === '(') {
        // a function or an aggregation
      } else if (AGGREGATIONS.has(lower) && /^(by|without)\b/i.test(expr.slice(next))) {
        // an aggregation with its clause first: sum by (le) (...)
      } else {
        note(word);
      }
    } else {
      i += 1;
    }
  }
  return names;
}
