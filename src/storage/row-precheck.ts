/**
 * @module storage/row-precheck
 * A plain-code pre-check for a table's zod row schema (issue 10: zod row validation of the seven
 * rows of a push was ~20 µs of the worker's event loop). `rowPrecheck(schema)` reads the schema's
 * own definition (zod 4 `def`) and returns a predicate that is true only for rows the schema
 * certainly accepts; false means "ask zod" (the caller then runs `safeParse` for the verdict and
 * its messages), so accept/refuse decisions and error texts are zod's alone.
 *
 * Supported (anything else gives `undefined`: no pre-check for that schema):
 * - a strict object (`.strict()`, catchall never) without object-level checks;
 * - fields: string (no checks, or one regex check without g/y flags, then any synchronous
 *   `.refine(fn)` predicates, called as zod calls them: valid only when fn returns true), number (no checks =
 *   finite; one `int` check = safe integer), boolean, enum, nullable(x), array(x) without checks.
 * Rows must be plain objects (prototype Object.prototype, itself without enumerable keys) whose
 * own enumerable keys are exactly the schema's keys; arrays must be plain arrays without holes.
 */
import type { z } from 'zod';

type Check = (value: unknown) => boolean;

/** The zod 4 definition fields this module reads. */
interface Def {
  type: string;
  checks?: Array<{ _zod: { def: { check?: string; format?: string; pattern?: RegExp; fn?: unknown; when?: unknown; abort?: unknown } } }>;
  innerType?: { def: Def };
  element?: { def: Def };
  entries?: Record<string, string | number>;
  shape?: Record<string, { def: Def }>;
  catchall?: { def: Def };
}

const isString: Check = (v) => typeof v === 'string';
const isFinite: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const isSafeInteger: Check = (v) => Number.isSafeInteger(v);
const isBoolean: Check = (v) => typeof v === 'boolean';

function fieldCheck(def: Def): Check | undefined {
  const checks = def.checks ?? [];
  switch (def.type) {
    case 'string': {
      if (checks.length === 0) return isString;
      // One regex check, optionally followed by synchronous refine predicates (`.refine(fn)`).
      const [first, ...rest] = checks.map((c) => c._zod.def);
      const pattern = first?.check === 'string_format' && first.format === 'regex' ? first.pattern : undefined;
      if (!(pattern instanceof RegExp) || pattern.global || pattern.sticky) return undefined;
      const refines = rest.map((d) => (d.check === 'custom' && typeof d.fn === 'function' && d.when === undefined && d.abort === undefined ? d.fn : undefined));
      if (refines.some((fn) => fn === undefined)) return undefined;
      const fns = refines as Array<(v: string) => unknown>;
      return (v) => typeof v === 'string' && pattern.test(v) && fns.every((fn) => fn(v) === true);
    }
    case 'number': {
      if (checks.length === 0) return isFinite;
      const only = checks.length === 1 ? checks[0]!._zod.def : undefined;
      return only?.check === 'number_format' && only.format === 'safeint' ? isSafeInteger : undefined;
    }
    case 'boolean':
      return checks.length === 0 ? isBoolean : undefined;
    case 'enum': {
      if (checks.length > 0 || !def.entries) return undefined;
      const values = new Set<unknown>(Object.values(def.entries));
      return (v) => values.has(v);
    }
    case 'nullable': {
      const inner = def.innerType && checks.length === 0 ? fieldCheck(def.innerType.def) : undefined;
      return inner && ((v) => v === null || inner(v));
    }
    case 'array': {
      const element = def.element && checks.length === 0 ? fieldCheck(def.element.def) : undefined;
      if (!element) return undefined;
      return (v) => {
        if (!Array.isArray(v) || Object.getPrototypeOf(v) !== Array.prototype) return false;
        for (let i = 0; i < v.length; i++) if (!element(v[i])) return false;
        return true;
      };
    }
    default:
      return undefined;
  }
}

/**
 * A predicate true only for rows `schema` accepts (see the module comment), or undefined when
 * the schema uses something this module does not read. Pure; build it once per schema.
 */
export function rowPrecheck(schema: z.ZodType): ((row: unknown) => boolean) | undefined {
  const def = (schema as unknown as { def: Def }).def;
  if (def.type !== 'object' || !def.shape || (def.checks ?? []).length > 0 || def.catchall?.def.type !== 'never') return undefined;
  const keys = Object.keys(def.shape);
  const checks: Check[] = [];
  for (const key of keys) {
    const check = fieldCheck(def.shape[key]!.def);
    if (!check) return undefined;
    checks.push(check);
  }
  const known = new Set(keys);
  return (row) => {
    if (typeof row !== 'object' || row === null || Object.getPrototypeOf(row) !== Object.prototype) return false;
    // zod's strict check sees inherited enumerable keys too: a polluted Object.prototype → ask zod.
    for (const _inherited in Object.prototype) return false;
    // Own enumerable keys, exactly the schema's: usually in the schema's order (rows are object
    // literals written in column order), else compared as a set.
    const own = Object.keys(row);
    if (own.length !== keys.length) return false;
    let inOrder = true;
    for (let i = 0; i < own.length; i++) {
      if (own[i] !== keys[i]) {
        if (!own.every((key) => known.has(key))) return false;
        inOrder = false;
        break;
      }
    }
    // In column order, Object.values lines up with `checks` (one call, no keyed lookup per field).
    const record = row as Record<string, unknown>;
    const values = inOrder ? Object.values(record) : keys.map((key) => record[key]);
    for (let i = 0; i < keys.length; i++) {
      if (!checks[i]!(values[i])) return false;
    }
    return true;
  };
}
