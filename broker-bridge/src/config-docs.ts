// docs/configuration.md's key tables, generated from the config schemas (`npm run docs:config`).
// The doc keeps its prose; each table sits between `<!-- config-table: ID -->` and
// `<!-- /config-table -->` and is rewritten from the schema of that part. The docs test renders
// the committed doc again and fails when the result differs, so the tables cannot drift.

import type { z } from "zod";
import { gadgetSchema } from "./config-core";
import { configSchema } from "./bridge-config";
import type { SettingDoc } from "./config-schema";
import { SECTIONS } from "./config-sections";
import { PROVIDERS } from "./ci/providers/index";

interface Row extends SettingDoc {
  key: string;
}

// Internal structure of zod 4 schemas (`_zod.def`), read only to walk wrappers down to the mapping.
interface Def {
  type: string;
  in?: z.ZodType;
  out?: z.ZodType;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The schema under defaults, preprocessing and transforms: an object, list, map or union. */
function core(schema: z.ZodType): z.ZodType {
  for (let s = schema, i = 0; i < 20; i++) {
    const def = defOf(s);
    if (def.type === "pipe" && def.in !== undefined && def.out !== undefined) s = defOf(def.in).type === "transform" ? def.out : def.in;
    else if ((def.type === "default" || def.type === "optional" || def.type === "nullable" || def.type === "prefault") && def.innerType) s = def.innerType;
    else return s;
  }
  return schema;
}

function rowsOf(schema: z.ZodType, prefix: string, recurse: boolean): Row[] {
  const def = defOf(core(schema));
  if (def.type === "union" && def.options !== undefined) return def.options.flatMap((o) => rowsOf(o, prefix, recurse));
  if (def.type === "record" && def.valueType !== undefined) return rowsOf(def.valueType, `${prefix}<name>.`, recurse);
  if (def.shape === undefined) return [];
  const rows: Row[] = [];
  for (const [key, field] of Object.entries(def.shape)) {
    const setting = field.meta()?.setting;
    if (setting !== undefined) rows.push({ key: prefix + key, ...setting });
    if (!recurse) continue;
    const inner = defOf(core(field));
    if (inner.type === "object" || inner.type === "union") rows.push(...rowsOf(field, `${prefix}${key}.`, true));
    else if (inner.type === "array" && inner.element) rows.push(...rowsOf(inner.element, `${prefix}${key}[].`, true));
    else if (inner.type === "record" && inner.valueType) rows.push(...rowsOf(inner.valueType, `${prefix}${key}.<name>.`, true));
  }
  return rows;
}

const WORDS = /^(none|required|all|anyone|by kind|from the keys|the provider's|the listen names)$/;
const cell = (text: string) => (text.startsWith("`") || WORDS.test(text) ? text : `\`${text}\``).replaceAll("|", "\\|");

/** Rows that say the same thing are one row ("`from`, `to`"); repeated rows (union members) once. */
function table(rows: Row[]): string {
  const merged: { keys: string[]; row: Row }[] = [];
  for (const row of rows) {
    const last = merged.at(-1);
    const same = (a: Row) => a.type === row.type && a.default === row.default && a.description === row.description && a.env === row.env;
    if (merged.some((m) => m.keys.includes(row.key) && same(m.row))) continue;
    if (last !== undefined && same(last.row)) last.keys.push(row.key);
    else merged.push({ keys: [row.key], row });
  }
  const lines = ["| key | type | default | env | meaning |", "| --- | --- | --- | --- | --- |"];
  for (const { keys, row } of merged) {
    lines.push(`| ${keys.map((k) => `\`${k}\``).join(", ")} | ${row.type} | ${cell(row.default)} | ${row.env ? `\`${row.env}\`` : ""} | ${row.description} |`);
  }
  return lines.join("\n");
}

/** Every generated table, by the id its markers use. */
export function configTables(): Map<string, string> {
  const top = configSchema;
  const shape = defOf(core(top)).shape ?? {};
  const part = (key: string) => table(rowsOf(shape[key] as z.ZodType, "", true));
  const tables = new Map<string, string>([
    ["top", table(rowsOf(top, "", false))],
    ["broker", part("broker")],
    ["http", part("http")],
    ["gates", part("gates")],
    ["gadgets", table(rowsOf(gadgetSchema, "", true))],
    ["sections", ["| section | document |", "| --- | --- |", ...SECTIONS.map((s) => `| \`${s.key}\` | ${s.document} |`)].join("\n")],
  ]);
  for (const section of SECTIONS) {
    const rows = rowsOf(section.schema, "", true);
    if (rows.length > 0) tables.set(section.key, table(rows));
  }
  const providers = [...PROVIDERS.values()].map((p) => `| \`${p.kind}\` | ${p.keys.map((k) => `\`${k}\``).join(", ")} |`);
  tables.set("ci-providers", ["| provider | its own keys under `pipelines.<name>` |", "| --- | --- |", ...providers].join("\n"));
  return tables;
}

// A marked block: its opening line, anything up to its close (never across another block's opening).
const BLOCK = /<!-- config-table: ([a-z_-]+) -->\n(?:(?!<!-- config-table:)[\s\S])*?<!-- \/config-table -->/g;

/** The doc with every marked table regenerated; an unknown id is an error (a renamed section). */
export function renderConfigDoc(doc: string): string {
  const tables = configTables();
  return doc.replace(BLOCK, (_all, id: string) => {
    const generated = tables.get(id);
    if (generated === undefined) throw new Error(`docs/configuration.md: no generated table "${id}" (known: ${[...tables.keys()].join(", ")})`);
    return `<!-- config-table: ${id} -->\n${generated}\n<!-- /config-table -->`;
  });
}

/** The ids the doc has markers for, to check that every table is placed somewhere. */
export function markedTables(doc: string): string[] {
  return [...doc.matchAll(BLOCK)].map((m) => m[1] as string);
}
