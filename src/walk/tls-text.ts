/**
 * The words for a TLS failure. Node's own advice for an untrusted certificate (`--use-system-ca`)
 * is about the node command line, which the canary's operator does not control; they have the
 * target's `tls` settings instead.
 */

/** Node's verification codes that mean "the chain does not end at a CA the canary trusts". */
const UNTRUSTED_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED',
]);

const NODE_ADVICE = /; if the root CA is installed locally, try running Node\.js with --use-system-ca$/;

/** What to do about an untrusted certificate, in the config's own words. */
export const UNTRUSTED_HINT = 'trust its CA with tls.ca_file, or set tls.insecure_skip_verify: true (a lab only)';

/**
 * `tls: <node's message without its --use-system-ca advice>[: <hint>]`: an untrusted chain points
 * to `tls.ca_file` and `tls.insecure_skip_verify`.
 */
export function describeTlsError(error: Error): string {
  const code = (error as { code?: unknown }).code;
  const text = error.message.replace(NODE_ADVICE, '');
  return typeof code === 'string' && UNTRUSTED_CODES.has(code) ? `tls: ${text}: ${UNTRUSTED_HINT}` : `tls: ${text}`;
}
