// better-sqlite3's placeholders in PostgreSQL's form: `?` (positional) and `@name` (named, bound
// from one object) become $1, $2, ... Text inside string literals ('...'), quoted identifiers
// ("..."), dollar-quoted bodies and comments is left alone, so a literal '?' stays a question mark.

export interface TranslatedSql {
  text: string;
  /** For named placeholders: the parameter name of $1, $2, ...; null for positional SQL. */
  names: string[] | null;
  /** How many positional parameters the statement takes. */
  count: number;
}

export class PlaceholderError extends Error {
  readonly code = "SQL_PLACEHOLDERS";
}

export function translatePlaceholders(sql: string): TranslatedSql {
  let out = "";
  let count = 0;
  const names: string[] = [];
  let positional = false;
  let i = 0;
  const skipTo = (end: string, from: number) => {
    const j = sql.indexOf(end, from);
    return j < 0 ? sql.length : j + end.length;
  };
  while (i < sql.length) {
    const c = sql[i] as string;
    let next = i + 1;
    if (c === "'" || c === '"') {
      // A doubled quote inside the literal is an escaped quote: skip pairs.
      next = i + 1;
      for (;;) {
        next = skipTo(c, next);
        if (sql[next] !== c) break;
        next += 1;
      }
    } else if (c === "-" && sql[i + 1] === "-") next = skipTo("\n", i);
    else if (c === "/" && sql[i + 1] === "*") next = skipTo("*/", i + 2);
    else if (c === "$" && /^\$[A-Za-z_]*\$/.test(sql.slice(i))) {
      const tag = (/^\$[A-Za-z_]*\$/.exec(sql.slice(i)) as RegExpExecArray)[0];
      next = skipTo(tag, i + tag.length);
    } else if (c === "?") {
      positional = true;
      count += 1;
      out += `$${count}`;
      i = next;
      continue;
    } else if (c === "@" && /[A-Za-z_]/.test(sql[i + 1] ?? "")) {
      const name = (/^@([A-Za-z_][A-Za-z0-9_]*)/.exec(sql.slice(i)) as RegExpExecArray)[1] as string;
      let index = names.indexOf(name);
      if (index < 0) index = names.push(name) - 1;
      out += `$${index + 1}`;
      i += name.length + 1;
      continue;
    }
    out += sql.slice(i, next);
    i = next;
  }
  if (positional && names.length > 0) throw new PlaceholderError(`SQL mixes ? and @name placeholders: ${sql.slice(0, 80)}`);
  return { text: out, names: names.length > 0 ? names : null, count: names.length > 0 ? names.length : count };
}

/** The values for $1..$n from better-sqlite3-style arguments: positional values, or one object. */
export function bindValues(translated: TranslatedSql, args: readonly unknown[], sql: string): unknown[] {
  if (translated.names !== null) {
    const bag = args[0];
    if (args.length !== 1 || typeof bag !== "object" || bag === null) {
      throw new PlaceholderError(`the statement takes named parameters (@${translated.names.join(", @")}); pass one object: ${sql.slice(0, 80)}`);
    }
    return translated.names.map((n) => {
      if (!(n in bag)) throw new PlaceholderError(`missing named parameter @${n}: ${sql.slice(0, 80)}`);
      return normalize((bag as Record<string, unknown>)[n]);
    });
  }
  if (args.length !== translated.count) {
    throw new PlaceholderError(`the statement takes ${translated.count} parameters, ${args.length} given: ${sql.slice(0, 80)}`);
  }
  return args.map(normalize);
}

/** What better-sqlite3 stores for a value: bigint as its digits, undefined as NULL. */
function normalize(v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  return v === undefined ? null : v;
}
