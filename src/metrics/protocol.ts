import type { ProtocolVariant } from '../result/types.ts';
import type { Families } from './families.ts';

function labelsOf(target: string, variant: ProtocolVariant): Record<'target' | 'welcome' | 'envelope' | 'subprotocol', string> {
  return { target, welcome: variant.welcome, envelope: variant.envelope, subprotocol: variant.subprotocol };
}

/**
 * Keeps `canary_protocol_info` at exactly one series per target (the variant of its last run that
 * got a welcome) and counts changes in `canary_protocol_changes_total`.
 *
 * A run that got a welcome but no agent event has envelope `none`: it did not observe the envelope,
 * so it keeps the target's previous envelope, and a change from or to an unobserved envelope is not
 * counted. Otherwise any difference in welcome shape, envelope or subprotocol is one change. The
 * first variant seen for a target is not a change.
 */
export class ProtocolTracker {
  readonly #families: Families;
  readonly #last = new Map<string, ProtocolVariant>();

  constructor(families: Families) {
    this.#families = families;
  }

  /** Takes the variant of one run of `target`; a run without a welcome (`welcome: none`) changes nothing. */
  observe(target: string, seen: ProtocolVariant): void {
    if (seen.welcome === 'none') return;
    const previous = this.#last.get(target);
    const current: ProtocolVariant = seen.envelope === 'none' && previous !== undefined ? { ...seen, envelope: previous.envelope } : seen;
    if (previous !== undefined) {
      if (isChange(previous, current)) this.#families.protocolChanges.inc({ target });
      if (!sameVariant(previous, current)) this.#families.protocolInfo.remove(labelsOf(target, previous));
    }
    this.#families.protocolInfo.set(labelsOf(target, current), 1);
    this.#last.set(target, current);
  }
}

function sameVariant(a: ProtocolVariant, b: ProtocolVariant): boolean {
  return a.welcome === b.welcome && a.envelope === b.envelope && a.subprotocol === b.subprotocol;
}

function isChange(previous: ProtocolVariant, current: ProtocolVariant): boolean {
  const envelopeChanged = previous.envelope !== 'none' && current.envelope !== 'none' && previous.envelope !== current.envelope;
  return previous.welcome !== current.welcome || previous.subprotocol !== current.subprotocol || envelopeChanged;
}
