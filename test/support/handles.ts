/**
 * Counts of the process's live sockets, servers and timers, for leak tests that compare them
 * before and after runs.
 */

/** The kinds of active resource leak tests watch. */
export const WATCHED = ['TCPSocketWrap', 'TCPServerWrap', 'Timeout'] as const;

/** How many of each {@link WATCHED} resource the process holds right now. */
export function activeHandleCounts(): Record<(typeof WATCHED)[number], number> {
  const active = process.getActiveResourcesInfo();
  return {
    TCPSocketWrap: active.filter((r) => r === 'TCPSocketWrap').length,
    TCPServerWrap: active.filter((r) => r === 'TCPServerWrap').length,
    Timeout: active.filter((r) => r === 'Timeout').length,
  };
}
