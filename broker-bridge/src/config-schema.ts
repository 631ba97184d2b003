// The building blocks every config section is described with (zod 4): each setting is one schema
// that carries its type, its default, its error texts and its documentation (.meta), so the types
// (z.infer), the checks, the defaults and docs/configuration.md come from one description.
// The error texts are the ones the bridge has always printed ("is required", "must be between 1
// and 16", "is not a known setting (known: ...)"), and an issue becomes one { field, error } with
// the dotted key path ("gates.rules.0.approvals") of protocol/'s checks.

import path from "node:path";
import { type Checked, type StringRule, checkString, joinPath } from "@shipgate/protocol";
import * as z from "zod";
import { parseDuration } from "./duration";

/** What a check may depend on: the folder relative paths start from, and the environment that
 *  secrets named by `*_env` keys are read from. The schemas are built once (zod compiles a parser
 *  per schema on first use, which costs milliseconds), so the context of a check is set for the
 *  length of one synchronous parse (checkWith) and read through context(). */
export interface SchemaContext {
  base: string;
  env: NodeJS.ProcessEnv;
}

let active: SchemaContext = { base: process.cwd(), env: {} };

/** The context of the parse under way. */
export function context(): SchemaContext {
  return active;
}

/** Documentation of one setting, read by the docs generator (config-docs.ts). */
export interface SettingDoc {
  description: string;
  /** The type as a reader writes it: "string", "integer 1..16", "duration", "list of strings". */
  type: string;
  /** The default as shown in the docs; "none" when absent means unset, "required" when it must be given. */
  default: string;
  /** The environment variable that overrides it, if any. */
  env?: string;
}

declare module "zod" {
  interface GlobalMeta {
    setting?: SettingDoc;
  }
}

const absent = (value: unknown): unknown => (value === null ? undefined : value);
const typeError = (message: string) => (issue: { input?: unknown }) => (issue.input === undefined ? "is required" : message);

/** A string with protocol/'s length and pattern rules (and their messages). */
export function text(rule: StringRule = {}) {
  return z.string({ error: typeError("must be a string") }).check(problem((value: string) => checkString(value, rule)));
}

/** A check that turns a problem text (protocol/'s checks answer one or undefined) into an issue. */
export function problem<T>(find: (value: T) => string | undefined) {
  return (ctx: z.core.ParsePayload<T>) => {
    const found = find(ctx.value);
    if (found !== undefined) ctx.issues.push({ code: "custom", message: found, input: ctx.value });
  };
}

export function integer(min: number, max: number) {
  const range = `must be between ${min} and ${max}`;
  return z
    .number({ error: typeError("must be an integer") })
    .int({ error: "must be an integer" })
    .min(min, { error: range })
    .max(max, { error: range });
}

export function boolean() {
  return z.boolean({ error: typeError("must be true or false") });
}

export function oneOf<const T extends readonly [string, ...string[]]>(choices: T) {
  return z.enum(choices, { error: (issue) => (issue.input === undefined ? "is required" : `must be one of ${choices.join(", ")}`) });
}

export function list<T extends z.ZodType>(item: T, maxItems: number) {
  return z.array(item, { error: typeError("must be an array") }).max(maxItems, { error: `must have at most ${maxItems} items` });
}

/** A non-empty string item of a list (globs, names), as the lists have always checked them. */
export function item(max = 200) {
  return z.string({ error: "must be a non-empty string" }).min(1, { error: "must be a non-empty string" }).max(max, { error: "must be a non-empty string" });
}

const DURATION_TEXT = 'must be a duration such as "90s", "30m", "1h" or "500ms"';

/** A duration ("90s", "30m", "1h30m", "500ms"; a bare number is seconds) in milliseconds. */
export function duration(minMs = 1, message = DURATION_TEXT) {
  return text({ min: 1, max: 40 }).transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined || ms <= 0 || ms < minMs) ctx.issues.push({ code: "custom", message, input: value });
    return ms ?? 0;
  });
}

/** A file path, resolved against the config file's folder. */
export function filePath() {
  return text({ min: 1, max: 1000 }).transform((value) => path.resolve(active.base, value));
}

/** The name of an environment variable holding a secret, read now: the value, or an issue naming it. */
export function secretFromEnv() {
  return text({ min: 1, max: 200 }).transform((name, issue) => {
    const value = active.env[name];
    if (value === undefined || value === "") issue.issues.push({ code: "custom", message: `environment variable ${name} is not set`, input: name });
    return value ?? "";
  });
}

type Shown = string | number | boolean | null;

/** How a default reads in the docs: durations as "1h", strings and numbers as written. */
export function showDefault(value: Shown, kind: "duration" | "plain" = "plain"): string {
  if (value === null) return "none";
  if (kind === "duration" && typeof value === "number") return showDuration(value);
  return String(value);
}

export function showDuration(ms: number): string {
  for (const [unit, size] of [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** A setting that may be left out (or written as a bare `key:`): its default is given once, here,
 *  and shown in the docs from the same value. */
export function optional<T extends z.ZodType>(schema: T, fallback: z.output<T>, doc: Omit<SettingDoc, "default"> & { default?: string }) {
  const shown = doc.default ?? (typeof fallback === "object" && fallback !== null ? "none" : showDefault(fallback as Shown, doc.type === "duration" ? "duration" : "plain"));
  return z.preprocess(absent, schema.default(fallback as never)).meta({ setting: { ...doc, default: shown } });
}

/** A setting without a default: absent means null. */
export function nullable<T extends z.ZodType>(schema: T, doc: Omit<SettingDoc, "default"> & { default?: string }) {
  return z
    .preprocess(absent, schema.optional())
    .transform((v) => (v === undefined ? null : v) as z.output<T> | null)
    .meta({ setting: { default: "none", ...doc } });
}

/** A setting that must be given. */
export function required<T extends z.ZodType>(schema: T, doc: Omit<SettingDoc, "default">) {
  return z.preprocess(absent, schema).meta({ setting: { ...doc, default: "required" } });
}

/** A mapping whose keys are exactly these settings; any other key is an error that lists them. */
export function settings<S extends z.ZodRawShape>(shape: S) {
  const known = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) => (issue.code === "unrecognized_keys" ? `is not a known setting (known: ${known})` : typeError("must be a JSON object")(issue)),
  });
}

/** A section or sub-mapping that may be left out entirely: then every setting takes its default. */
export function section<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => absent(v) ?? {}, schema);
}

/** A map from names to settings (gadgets, pipelines, webhooks...), each name checked first. */
export function named<T extends z.ZodType>(name: z.ZodType<string>, value: T, notAMap: string) {
  return z.record(name, value, { error: (issue) => (issue.code === "invalid_type" ? notAMap : undefined) });
}

/** The first problem, in the order the bridge has always reported them: depth first through the
 *  settings in their listed order, and at each mapping an unknown key before its settings' problems
 *  (an unknown key is most often a typo that explains the rest). zod lists issues in the settings'
 *  order but a mapping's unknown keys after its settings, so the first issue's enclosing mappings
 *  are asked, outermost first, whether they have an unknown key. */
export function firstProblem(error: z.ZodError, at: string): { ok: false; field: string; error: string } {
  const issues = error.issues;
  const first = issues[0];
  if (first === undefined) return { ok: false, field: at, error: "is not valid" };
  let issue: z.core.$ZodIssue = first;
  for (let depth = 0; depth <= first.path.length; depth++) {
    const prefix = first.path.slice(0, depth);
    const unknown = issues.find((i) => i.code === "unrecognized_keys" && i.path.length === depth && i.path.every((k, n) => k === prefix[n]));
    if (unknown !== undefined) {
      issue = unknown;
      break;
    }
  }
  let field = issue.path.reduce<string>((p, k) => joinPath(p, String(k)), at);
  let message = issue.message;
  if (issue.code === "unrecognized_keys") field = joinPath(field, issue.keys[0] ?? "");
  if (issue.code === "invalid_key") message = issue.issues[0]?.message ?? message;
  return { ok: false, field, error: message };
}

/** Parse with a section schema in a context, answering protocol/'s Checked with the key path under `at`. */
export function checkWith<T extends z.ZodType>(schema: T, value: unknown, at: string, ctx: SchemaContext = { base: process.cwd(), env: {} }): Checked<z.output<T>> {
  const outer = active;
  active = ctx;
  try {
    const result = schema.safeParse(value);
    return result.success ? { ok: true, value: result.data } : firstProblem(result.error, at);
  } finally {
    active = outer;
  }
}

/** A service's section of the config file: its key, where it is documented, and its schema.
 *  Each service module defines its own; config-sections.ts lists them. */
export interface ConfigSection {
  key: string;
  /** Markdown: where the section is explained (a link and a phrase). */
  document: string;
  schema: z.ZodType;
}
