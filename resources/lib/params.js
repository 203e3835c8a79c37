// @ts-check
'use strict';

/**
 * Reading per-stage params in the resource generators (resources/*.js), which osls calls with
 * `{ resolveVariable, options }` when it resolves `${file(./resources/x.js):name}`. Every reader
 * validates and names the param in its error, so a bad stage fails `sls package` clearly.
 */

/**
 * @typedef {{ resolveVariable: (name: string) => Promise<unknown>, options: { stage?: string } }} Context
 */

/** @param {unknown} value */
const toNumber = (value) => (typeof value === 'string' && value.trim() === '' ? NaN : Number(value));

/** @param {unknown} value @param {string} name @param {number} min @param {number} max */
function integer(value, name, min, max) {
  const number = toNumber(value);
  if (!Number.isInteger(number) || number < min || number > max)
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${value}"`);
  return number;
}

/** @param {unknown} value @param {string} name */
function positiveNumber(value, name) {
  const number = toNumber(value);
  if (!Number.isFinite(number) || number <= 0)
    throw new Error(`${name} must be a positive number, got "${value}"`);
  return number;
}

/**
 * A list param (YAML list, or a comma-separated string), blanks dropped.
 * @param {unknown} value @param {string} name @returns {string[]}
 */
function stringList(value, name) {
  if (value === undefined || value === null || value === '') return [];
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : undefined;
  if (items === undefined) throw new Error(`${name} must be a list, got ${JSON.stringify(value)}`);
  return items
    .map((item) => {
      if (typeof item !== 'string')
        throw new Error(`${name}: expected a string, got ${JSON.stringify(item)}`);
      return item.trim();
    })
    .filter((item) => item !== '');
}

/** The params of one stage, read and validated by name ("param <name> ..." in every error). */
class Params {
  /** @param {Context} context */
  constructor(context) {
    this.context = context;
  }

  /** @param {string} name @returns {Promise<unknown>} an unset or null param reads as '' */
  async raw(name) {
    const value = await this.context.resolveVariable(`param:${name}`);
    return value === undefined || value === null ? '' : value;
  }

  /** @param {string} name */
  async text(name) {
    const value = await this.raw(name);
    if (typeof value === 'object')
      throw new Error(`param ${name} must be a string, got ${JSON.stringify(value)}`);
    return String(value).trim();
  }

  /** @param {string} name */
  async list(name) {
    return stringList(await this.raw(name), `param ${name}`);
  }

  /** @param {string} name @param {number} min @param {number} max */
  async integer(name, min, max) {
    return integer(await this.raw(name), `param ${name}`, min, max);
  }

  /** Days for a lifecycle rule; '' or 0 = never. @param {string} name */
  async days(name) {
    const value = await this.raw(name);
    return integer(value === '' ? 0 : value, `param ${name} (days, 0 = never)`, 0, 36500);
  }

  /** @param {string} name @param {readonly string[]} allowed */
  async oneOf(name, allowed) {
    const value = await this.text(name);
    if (!allowed.includes(value))
      throw new Error(`param ${name} must be one of ${allowed.join(', ')}, got "${value}"`);
    return value;
  }

  /** A list of 12-digit AWS account ids, duplicates dropped. @param {string} name */
  async accountIds(name) {
    const accounts = await this.list(name);
    for (const account of accounts)
      if (!/^\d{12}$/.test(account))
        throw new Error(`param ${name}: "${account}" is not a 12-digit AWS account id`);
    return [...new Set(accounts)];
  }

  /**
   * A function's environment variables read from params, each as text (Lambda's variables are
   * strings): `{ VARIABLE: 'paramName' }` -> `{ VARIABLE: <the param's value> }`.
   * @param {Record<string, string>} variables @returns {Promise<Record<string, string>>}
   */
  async environment(variables) {
    /** @type {Record<string, string>} */
    const out = {};
    for (const [variable, name] of Object.entries(variables)) out[variable] = await this.text(name);
    return out;
  }

  /** The service name and the stage being packaged or deployed; prefix = "<service>-<stage>". */
  async serviceAndStage() {
    const service = String(await this.context.resolveVariable('self:service'));
    const stage = this.context.options.stage || String(await this.context.resolveVariable('sls:stage'));
    return { service, stage, prefix: `${service}-${stage}` };
  }
}

/** @param {Context} context */
const params = (context) => new Params(context);

module.exports = { params, integer, positiveNumber, stringList };
