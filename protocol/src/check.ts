// A small kit of hand-written checks for JSON payloads. It runs unchanged on Node and in XS 13.3
// (no Node APIs, no toSorted, no Object.groupBy), and it never throws: every failure comes back as
// a value that names the field path and what is wrong with it.

export interface Invalid {
  readonly ok: false;
  /** Dotted path of the offending field, "" for the payload itself, e.g. "rings.1.scene". */
  readonly field: string;
  /** What is wrong, in words a pipeline author can act on. */
  readonly error: string;
}

export interface Valid<T> {
  readonly ok: true;
  readonly value: T;
}

export type Checked<T> = Valid<T> | Invalid;

export function valid<T>(value: T): Valid<T> {
  return { ok: true, value };
}

export function invalid(field: string, error: string): Invalid {
  return { ok: false, field, error };
}

export function joinPath(base: string, key: string | number): string {
  return base === "" ? String(key) : base + "." + key;
}

export type JsonObject = { readonly [key: string]: unknown };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Field readers: each returns the typed value, or an Invalid naming the path. */
export class Fields {
  readonly #obj: JsonObject;
  readonly #path: string;
  failure: Invalid | undefined;

  constructor(obj: JsonObject, path: string) {
    this.#obj = obj;
    this.#path = path;
  }

  #fail(key: string, error: string): void {
    if (this.failure === undefined) this.failure = invalid(joinPath(this.#path, key), error);
  }

  #get(key: string): unknown {
    return Object.hasOwn(this.#obj, key) ? this.#obj[key] : undefined;
  }

  has(key: string): boolean {
    const value = this.#get(key);
    return value !== undefined && value !== null;
  }

  string(key: string, opts: StringRule = {}): string {
    const value = this.#get(key);
    if (typeof value !== "string") {
      this.#fail(key, value === undefined ? "is required" : "must be a string");
      return "";
    }
    const problem = checkString(value, opts);
    if (problem !== undefined) this.#fail(key, problem);
    return value;
  }

  optionalString(key: string, opts: StringRule = {}): string | undefined {
    const value = this.#get(key);
    if (value === undefined || value === null) return undefined;
    return this.string(key, opts);
  }

  integer(key: string, min: number, max: number): number {
    const value = this.#get(key);
    if (typeof value !== "number" || !Number.isInteger(value)) {
      this.#fail(key, value === undefined ? "is required" : "must be an integer");
      return 0;
    }
    if (value < min || value > max) this.#fail(key, `must be between ${min} and ${max}`);
    return value;
  }

  optionalInteger(key: string, min: number, max: number): number | undefined {
    const value = this.#get(key);
    if (value === undefined || value === null) return undefined;
    return this.integer(key, min, max);
  }

  number(key: string, min: number, max: number): number {
    const value = this.#get(key);
    if (typeof value !== "number" || !Number.isFinite(value)) {
      this.#fail(key, value === undefined ? "is required" : "must be a finite number");
      return 0;
    }
    if (value < min || value > max) this.#fail(key, `must be between ${min} and ${max}`);
    return value;
  }

  optionalNumber(key: string, min: number, max: number): number | undefined {
    const value = this.#get(key);
    if (value === undefined || value === null) return undefined;
    return this.number(key, min, max);
  }

  boolean(key: string): boolean {
    const value = this.#get(key);
    if (typeof value !== "boolean") {
      this.#fail(key, value === undefined ? "is required" : "must be true or false");
      return false;
    }
    return value;
  }

  oneOf<T extends string>(key: string, choices: readonly T[]): T {
    const value = this.#get(key);
    if (typeof value !== "string" || choices.indexOf(value as T) < 0) {
      this.#fail(key, value === undefined ? "is required" : "must be one of " + choices.join(", "));
      return choices[0] as T;
    }
    return value as T;
  }

  optionalOneOf<T extends string>(key: string, choices: readonly T[]): T | undefined {
    const value = this.#get(key);
    if (value === undefined || value === null) return undefined;
    return this.oneOf(key, choices);
  }

  /** A nested value checked by its own checker, with the path extended. */
  nested<T>(key: string, check: (value: unknown, path: string) => Checked<T>): T | undefined {
    const result = check(this.#get(key), joinPath(this.#path, key));
    if (!result.ok) {
      if (this.failure === undefined) this.failure = result;
      return undefined;
    }
    return result.value;
  }

  /** An array whose items are each checked, with the index in the path. */
  array<T>(key: string, maxItems: number, check: (value: unknown, path: string) => Checked<T>): T[] {
    const value = this.#get(key);
    const path = joinPath(this.#path, key);
    if (!Array.isArray(value)) {
      this.#fail(key, value === undefined ? "is required" : "must be an array");
      return [];
    }
    if (value.length > maxItems) {
      this.#fail(key, `must have at most ${maxItems} items`);
      return [];
    }
    const out: T[] = [];
    for (let i = 0; i < value.length; i++) {
      const item = check(value[i], joinPath(path, i));
      if (!item.ok) {
        if (this.failure === undefined) this.failure = item;
        return [];
      }
      out.push(item.value);
    }
    return out;
  }

  /** Finish: the built value when every field passed, else the first failure. */
  done<T>(build: () => T): Checked<T> {
    if (this.failure !== undefined) return this.failure;
    return valid(build());
  }
}

export interface StringRule {
  /** Minimum length in UTF-16 code units (default 0). */
  min?: number;
  /** Maximum length in UTF-16 code units. */
  max?: number;
  /** A pattern the whole string must match, with a phrase that describes it. */
  pattern?: RegExp;
  patternText?: string;
}

export function checkString(value: string, rule: StringRule): string | undefined {
  const min = rule.min ?? 0;
  if (value.length < min) return min === 1 ? "must not be empty" : `must have at least ${min} characters`;
  if (rule.max !== undefined && value.length > rule.max) return `must have at most ${rule.max} characters`;
  if (rule.pattern !== undefined && !rule.pattern.test(value)) return "must be " + (rule.patternText ?? "well formed");
  return undefined;
}

/** Begin checking an object payload: the Fields reader, or an Invalid when it is no object. */
export function object(value: unknown, path: string): Fields | Invalid {
  if (!isObject(value)) return invalid(path, value === undefined ? "is required" : "must be a JSON object");
  return new Fields(value, path);
}
