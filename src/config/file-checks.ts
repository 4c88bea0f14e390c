import { createPrivateKey } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { describeFsError } from './errors.ts';
import type { Context, FileRequirement } from './fields.ts';
import { fileTooLarge, MAX_CONFIG_FILE_BYTES } from './limits.ts';

const PKCS8_PEM = '-----BEGIN PRIVATE KEY-----';
const CERTIFICATE_PEM = '-----BEGIN CERTIFICATE-----';

/**
 * Checks on disk the files a validated config names: each must be readable; a private key must be
 * an unencrypted PKCS#8 PEM key that suits its algorithm (RSA for RS256, P-256 for ES256); a CA file
 * must hold PEM certificates. A file over `MAX_CONFIG_FILE_BYTES` is refused unread. Problems go to
 * `ctx` on the field that named the file; a file that cannot be read is a `load` gap.
 */
export async function checkFiles(ctx: Context, files: readonly FileRequirement[]): Promise<void> {
  for (const file of files) {
    let text: string;
    try {
      const { size } = await stat(file.absolute);
      if (size > MAX_CONFIG_FILE_BYTES) {
        ctx.report(file.field, `"${file.shown}" is ${fileTooLarge(size)}`);
        continue;
      }
      text = await readFile(file.absolute, 'utf8');
    } catch (error) {
      ctx.report(file.field, `cannot read "${file.shown}": ${describeFsError(error)}`, 'load');
      continue;
    }
    const problem = file.kind === 'ca' ? checkCertificates(text) : checkPrivateKey(text, file.algorithm);
    if (problem !== null) ctx.report(file.field, `${problem} in "${file.shown}"`);
  }
}

function checkCertificates(text: string): string | null {
  return text.includes(CERTIFICATE_PEM) ? null : `expected PEM certificates ("${CERTIFICATE_PEM}")`;
}

function checkPrivateKey(text: string, algorithm: 'RS256' | 'ES256' | null): string | null {
  const expected = `expected a PKCS#8 PEM private key ("${PKCS8_PEM}")`;
  if (!text.includes(PKCS8_PEM)) return expected;
  let type: string | undefined;
  let curve: string | undefined;
  try {
    const key = createPrivateKey({ key: text, format: 'pem' });
    type = key.asymmetricKeyType;
    curve = key.asymmetricKeyDetails?.namedCurve;
  } catch {
    return `${expected}, it does not parse`;
  }
  const found = type === 'ec' ? `an EC ${curve ?? ''} key`.replace('  ', ' ') : `an ${type ?? 'unknown'} key`;
  if (algorithm === 'RS256' && type !== 'rsa') return `expected an RSA key for RS256, got ${found}`;
  if (algorithm === 'ES256' && (type !== 'ec' || curve !== 'prime256v1')) {
    return `expected an EC P-256 (prime256v1) key for ES256, got ${found}`;
  }
  return null;
}
