// @ts-check
'use strict';

/**
 * The reasons a security scanner's finding is accepted, written on the resource itself
 * (checkov reads `Metadata.checkov.skip`), so the reason travels with the template. Every
 * generator that declares a resource a check fails on adds its reason through these, one line per check
 * id; test/deploy/checkov.ts fails `npm test` on a failed check without one, or on a reason too
 * short to say why. docs/deploy.md ("Security scan") lists them.
 */

/** A reason shorter than this says nothing specific ("n/a", "not needed"). */
const MIN_REASON_CHARS = 40;

/** @typedef {Record<string, string>} Reasons check id (CKV_AWS_…) -> why it does not apply here */

/**
 * The Metadata block skipping each check with its reason. Throws on a reason that does not
 * explain itself, so a generator cannot ship an empty one.
 * @param {Reasons} reasons
 */
function checkovSkips(reasons) {
  const skip = Object.entries(reasons).map(([id, comment]) => {
    if (!/^CKV2?_AWS_\d+$/.test(id)) throw new Error(`checkov skip: "${id}" is not a check id (CKV_AWS_<n>)`);
    if (comment.trim().length < MIN_REASON_CHARS)
      throw new Error(`checkov skip ${id}: write a specific reason (${MIN_REASON_CHARS}+ characters)`);
    return { id, comment };
  });
  return { checkov: { skip } };
}

/**
 * The resource with the skips added to its Metadata (none: the resource as it was).
 * @template {Record<string, unknown>} R @param {R} resource @param {Reasons} reasons @returns {R}
 */
function withCheckovSkips(resource, reasons) {
  if (Object.keys(reasons).length === 0) return resource;
  return {
    ...resource,
    Metadata: { .../** @type {object} */ (resource.Metadata ?? {}), ...checkovSkips(reasons) },
  };
}

module.exports = { checkovSkips, withCheckovSkips, MIN_REASON_CHARS };
