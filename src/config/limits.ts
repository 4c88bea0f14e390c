/**
 * Sizes a config is checked against before it is read or processed whole, so a huge file or
 * environment value is refused with a config error instead of costing memory.
 */

/** Bytes a config file, private key file or CA file may hold; larger files are refused unread. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/**
 * Characters one string value may hold, before and after `${VAR}` references are replaced; an
 * environment variable longer than this is refused before it is copied into the value.
 */
export const MAX_CONFIG_VALUE_CHARS = 64 * 1024;

/** The message for a file of `bytes` over `MAX_CONFIG_FILE_BYTES`. */
export function fileTooLarge(bytes: number): string {
  return `too large (${bytes} bytes, at most ${MAX_CONFIG_FILE_BYTES})`;
}
