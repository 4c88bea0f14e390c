/**
 * The target's address as people and reports see it: scheme, host, port and path of the WHATWG URL
 * (https://url.spec.whatwg.org/). Never its credentials, query string or fragment, which may carry
 * secrets (`?token=…`). A URL that does not parse shows as `(invalid URL)`, never as its text.
 */
export function publicUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '(invalid URL)';
  }
  return `${url.protocol}//${url.host}${url.pathname}`;
}
