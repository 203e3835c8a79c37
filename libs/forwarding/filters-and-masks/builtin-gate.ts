import { VENDOR_PREFIXES } from './secret-masks';
import { MAY_NAME_SECRET } from './secret-keys';

/**
 * One V8 test for all of a mask's built-ins. Each built-in has its own prefilter (a substring
 * or a V8 regex over the line), and with every built-in on, fifteen of them cost about a third
 * of the forwarder's path on lines that hold nothing (the Lambda mix). The gate is one scan for
 * what any of them needs: each part below is implied by the built-in's prefilter passing (or,
 * for `card`, which has none, by its pattern matching), so a line the gate rejects is one no
 * built-in changes. The parts are alternatives of literals or bounded repeats: no backtracking
 * without bound. test/events/re2-differential.test.ts holds the masks with and without the gate to
 * the same output.
 */
interface GateParts {
  sensitive?: readonly string[];
  ignoringCase?: readonly string[];
}

const GATE_PARTS: Record<string, GateParts> = {
  'private-key': { sensitive: ['PRIVATE KEY'] },
  jwt: { sensitive: ['eyJ'] },
  bearer: { ignoringCase: ['bearer'] },
  'aws-session-token': { sensitive: ['IQoJb3JpZ2lu', 'FwoGZXIvYXdz', 'FQoGZXIvYXdz'] },
  'vendor-tokens': { sensitive: [VENDOR_PREFIXES.source] },
  'url-userinfo': { sensitive: ['@'] },
  'basic-auth': { ignoringCase: ['basic'] },
  cookie: { ignoringCase: ['cookie'] },
  'secret-fields': { ignoringCase: [MAY_NAME_SECRET.source] },
  'aws-secret': { ignoringCase: ['secret', 'passw', 'token', 'credential', 'private'] },
  'aws-access-key-id': { sensitive: ['AKIA', 'ASIA', 'ABIA', 'ACCA'] },
  email: { sensitive: ['@'] },
  // mayHoldIpv6: a `::`, or the full form.
  ipv6: { sensitive: ['::', '[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){7}'] },
  ipv4: { sensitive: ['\\d\\.\\d{1,3}\\.\\d{1,3}\\.\\d'] },
  // Its pattern's first 13 digits.
  card: { sensitive: ['[0-9](?:[ -]?[0-9]){12}'] },
};

/** The gate of a set of built-ins (names from builtin-masks.ts); undefined for none. */
export function builtinGate(names: Iterable<string>): ((text: string) => boolean) | undefined {
  const sensitive = new Set<string>();
  const ignoringCase = new Set<string>();
  let any = false;
  for (const name of names) {
    const parts = GATE_PARTS[name];
    if (parts === undefined) throw new Error(`no gate for the built-in "${name}"`);
    any = true;
    for (const part of parts.sensitive ?? []) sensitive.add(part);
    for (const part of parts.ignoringCase ?? []) ignoringCase.add(part);
  }
  if (!any) return undefined;
  const join = (parts: Set<string>) => [...parts].map((part) => `(?:${part})`).join('|');
  const exact = sensitive.size > 0 ? new RegExp(join(sensitive)) : undefined;
  const folded = ignoringCase.size > 0 ? new RegExp(join(ignoringCase), 'i') : undefined;
  return (text) => exact?.test(text) === true || folded?.test(text) === true;
}

export const GATED_BUILTINS = Object.keys(GATE_PARTS);
