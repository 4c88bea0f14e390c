import { readFile, stat } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { describeFsError, FILE_FIELD, type Reporter } from './errors.ts';
import { fileTooLarge, MAX_CONFIG_FILE_BYTES } from './limits.ts';

/** What `parseYamlFile` returns when the file could not be read or parsed (already reported). */
export const UNPARSED = Symbol('unparsed');

/**
 * Reads one file and parses it as a single YAML 1.2 document (duplicate keys are errors, `<<`
 * merge keys are allowed). Problems are reported on `(file)`, YAML ones with their line and column.
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
  if (document.errors.length > 0) {
    const seen = new Set<string>();
    for (const error of document.errors) {
      const position = error.linePos?.[0];
      const where = position === undefined ? '' : ` at line ${position.line}, column ${position.col}`;
      if (seen.has(where)) continue;
      seen.add(where);
      const message = error.message.split(' at line ')[0] ?? error.message;
      reporter.report(FILE_FIELD, `invalid YAML${where}: ${message}`);
    }
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
