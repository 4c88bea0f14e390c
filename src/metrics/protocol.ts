import type { HandshakeLabel, ProtocolVariant } from '../result/types.ts';
import type { Families, ProtocolLabel } from './families.ts';

function handshakeOf(variant: ProtocolVariant): HandshakeLabel {
  return variant.handshake ?? 'none';
}

function labelsOf(target: string, variant: ProtocolVariant): Record<ProtocolLabel, string> {
  return { target, welcome: variant.welcome, envelope: variant.envelope, subprotocol: variant.subprotocol, handshake: handshakeOf(variant) };
}

/**
 * Keeps `canary_protocol_info` at exactly one series per target (the variant of its last run that
 * got a welcome) and counts changes in `canary_protocol_changes_total`.
 *
 * A run that got a welcome but no agent event has envelope `none`: it did not observe the envelope,
 * so it keeps the target's previous envelope, and a change from or to an unobserved envelope is not
 * counted. Otherwise any difference in welcome shape, envelope, subprotocol or handshake (a backend
 * switching wire generation) is one change. The
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
  return a.welcome === b.welcome && a.envelope === b.envelope && a.subprotocol === b.subprotocol && handshakeOf(a) === handshakeOf(b);
}

function isChange(previous: ProtocolVariant, current: ProtocolVariant): boolean {
  const envelopeChanged = previous.envelope !== 'none' && current.envelope !== 'none' && previous.envelope !== current.envelope;
  const handshakeChanged = handshakeOf(previous) !== handshakeOf(current);
  return previous.welcome !== current.welcome || previous.subprotocol !== current.subprotocol || handshakeChanged || envelopeChanged;
}
