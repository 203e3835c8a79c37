import { mayHoldIpv6 } from './builtin-masks';
import {
  mayHoldAccessKeyId,
  mayHoldAt,
  mayHoldCardDigits,
  mayHoldIpv4,
  mayHoldJwt,
  mayHoldPrivateKey,
  mayHoldSecretWord,
  mayHoldSessionToken,
  mayHoldVendorToken,
  mayNameWeakSecret,
} from './builtin-scans';

/**
 * One test for all of a mask's built-ins. Each built-in has its own prefilter, and with every
 * built-in on, fifteen of them cost about a third of the forwarder's path on lines that hold
 * nothing (the Lambda mix). The gate asks each question any of them needs once: each part below
 * is implied by the built-in's prefilter passing (or, for `card`, which has none, by its pattern
 * matching), so a line the gate rejects is one no built-in changes. The parts are the shared
 * scans (builtin-scans.ts), each answered once per text, so the prefilters that run after a
 * passing gate reuse its answers. One V8 regex of all the parts' alternatives was tried before:
 * V8 tries every alternative at every position, and it cost more than the parts one by one.
 * test/events/re2-differential.test.ts holds the masks with and without the gate to the same
 * output; test/events/builtin-scans.test.ts holds each part to its built-ins' patterns.
 */
const GATE_PARTS: Record<string, ReadonlyArray<(text: string) => boolean>> = {
  'private-key': [mayHoldPrivateKey],
  jwt: [mayHoldJwt],
  bearer: [mayHoldSecretWord],
  'aws-session-token': [mayHoldSessionToken],
  'vendor-tokens': [mayHoldVendorToken],
  'url-userinfo': [mayHoldAt],
  'basic-auth': [mayHoldSecretWord],
  cookie: [mayHoldSecretWord],
  // Its weak names (`key=`) apart: secret-fields' own part (builtin-scans.ts).
  'secret-fields': [mayHoldSecretWord, mayNameWeakSecret],
  'aws-secret': [mayHoldSecretWord],
  'aws-access-key-id': [mayHoldAccessKeyId],
  email: [mayHoldAt],
  // A `::` that may start an address, or a full form (its prefilter: spans kept for its windows).
  ipv6: [mayHoldIpv6],
  ipv4: [mayHoldIpv4],
  // Its pattern's first 13 digits, where a run of digits starts (see CARD_RUN_V8).
  card: [mayHoldCardDigits],
};

/** The gate of a set of built-ins (names from builtin-masks.ts); undefined for none. */
export function builtinGate(names: Iterable<string>): ((text: string) => boolean) | undefined {
  const parts = new Set<(text: string) => boolean>();
  for (const name of names) {
    const own = GATE_PARTS[name];
    if (own === undefined) throw new Error(`no gate for the built-in "${name}"`);
    for (const part of own) parts.add(part);
  }
  if (parts.size === 0) return undefined;
  const tests = [...parts];
  return (text) => tests.some((test) => test(text));
}

export const GATED_BUILTINS = Object.keys(GATE_PARTS);
