import { readFile, stat } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { describeFsError, FILE_FIELD, type Reporter } from './errors.ts';
import { fileTooLarge, MAX_CONFIG_FILE_BYTES } from './limits.ts';

/** What `parseYamlFile` returns when the file could not be read or parsed (already reported). */
export const UNPARSED = Symbol('unparsed');

/**
 * Reads one file and parses it as a single YAML 1.2 document (duplicate keys are errors, `<<`
 * merge keys are allowed). Problems are reported on `(file)`; of a YAML syntax error only the first
 * is reported (the others follow from it), with its line and column.
 * A file over `MAX_CONFIG_FILE_BYTES` is refused before it is read.
 *
 * @returns the document as plain JavaScript values, or `UNPARSED`
 */
export async function parseYamlFile(reporter: Reporter): Promise<unknown> {
  let text: string;
  try {
    const { size } = await stat(reporter.file);
    if (size > MAX_CONFIG_FILE_BYTES) {
      reporter.report(FILE_FIELD, fileTooLarge(size));
      return UNPARSED;
    }
    text = await readFile(reporter.file, 'utf8');
  } catch (error) {
    reporter.report(FILE_FIELD, `cannot read: ${describeFsError(error)}`);
    return UNPARSED;
  }
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true, merge: true });
  const [first] = document.errors;
  if (first !== undefined) {
    const position = first.linePos?.[0];
    const where = position === undefined ? '' : ` at line ${position.line}, column ${position.col}`;
    const message = first.message.split(' at line ')[0] ?? first.message;
    const line = position === undefined ? undefined : text.split('\n')[position.line - 1];
    const hint = line !== undefined && position !== undefined && hasUnquotedFlowReference(line, position.col) ? ` (${FLOW_REFERENCE_HINT})` : '';
    reporter.report(FILE_FIELD, `invalid YAML${where}: ${message}${hint}`);
    return UNPARSED;
  }
  if (document.contents === null) {
    reporter.report(FILE_FIELD, 'expected a mapping at the top level, got an empty file');
    return UNPARSED;
  }
  try {
    return document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    reporter.report(FILE_FIELD, `invalid YAML: ${error instanceof Error ? error.message : String(error)}`);
    return UNPARSED;
  }
}

const FLOW_REFERENCE_HINT = 'an unquoted ${VAR} inside {...} or [...] must be quoted: "${VAR}"';

/**
 * Whether the error at `column` (1-based) of `line` comes from an unquoted `${` inside a flow
 * collection, where YAML reads `{` and `}` as structure (`auth: {token: ${TOKEN}}`): the error
 * points at the `{` of a `${`, or the line opens a flow collection before an unquoted `${`.
 */
function hasUnquotedFlowReference(line: string, column: number): boolean {
  const unquoted = line.replace(/"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'/g, (quoted) => ' '.repeat(quoted.length));
  const reference = unquoted.indexOf('${');
  if (reference === -1) return false;
  if (unquoted.startsWith('${', column - 2)) return true;
  return /(?:^|[^$])[{[]/.test(unquoted.slice(0, reference));
}
