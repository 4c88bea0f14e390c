import { MAX_CONFIG_VALUE_CHARS } from './limits.ts';

const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

const EXPECTED = 'expected ${NAME} or ${NAME:-default}';

/**
 * Replaces environment references in one string scalar (after YAML parsing, never on raw text):
 * `${VAR}` is the variable's value (it must be set; an empty value is kept), `${VAR:-default}` is
 * `default` when VAR is unset or empty, and `$${` is a literal `${`. A `$` anywhere else is kept.
 * The text, each variable's value and the result hold at most `MAX_CONFIG_VALUE_CHARS` characters;
 * a longer one is reported and never copied.
 *
 * @param report called once per problem (unset variable, malformed reference, too long); `unset`
 * is true for an unset variable, a gap in the environment rather than in the text
 * @returns the interpolated text, or `undefined` when there was a problem
 */
export function interpolate(
  text: string,
  env: NodeJS.ProcessEnv,
  report: (message: string, unset?: boolean) => void,
): string | undefined {
  if (text.length > MAX_CONFIG_VALUE_CHARS) {
    report(`expected at most ${MAX_CONFIG_VALUE_CHARS} characters, got ${text.length}`);
    return undefined;
  }
  if (!text.includes('${')) return text;
  let out = '';
  let ok = true;
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (!text.startsWith('${', i)) {
      out += text[i];
      i += 1;
      continue;
    }
    const close = text.indexOf('}', i + 2);
    if (close === -1) {
      report(`${EXPECTED}, got ${JSON.stringify(text.slice(i))} (no closing "}")`);
      return undefined;
    }
    const reference = text.slice(i, close + 1);
    const match = REFERENCE.exec(text.slice(i + 2, close));
    const name = match?.[1];
    const fallback = match?.[2];
    if (name === undefined || fallback?.includes('${') === true) {
      report(`${EXPECTED}, got ${JSON.stringify(reference)}`);
      ok = false;
    } else {
      const value = env[name];
      if (value !== undefined && value.length > MAX_CONFIG_VALUE_CHARS) {
        report(`environment variable ${name} is too long (${value.length} characters, at most ${MAX_CONFIG_VALUE_CHARS})`);
        return undefined;
      }
      if (fallback !== undefined) {
        out += value === undefined || value === '' ? fallback : value;
      } else if (value === undefined) {
        report(`environment variable ${name} is not set`, true);
        ok = false;
      } else {
        out += value;
      }
      if (out.length > MAX_CONFIG_VALUE_CHARS) {
        report(`expected at most ${MAX_CONFIG_VALUE_CHARS} characters once environment references are replaced, got more`);
        return undefined;
      }
    }
    i = close + 1;
  }
  return ok ? out : undefined;
}
