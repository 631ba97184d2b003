// better-sqlite3 placeholders translated for PostgreSQL, on the shapes shipgate's SQL has.

import test from "ava";
import { PlaceholderError, bindValues, translatePlaceholders } from "../src/ha/sql-placeholders";

test("positional ? become $1..$n in order; ? inside literals, identifiers and comments stay", (t) => {
  const r = translatePlaceholders(`SELECT '?', "a?b" FROM t -- why?\nWHERE a = ? AND b = 'it''s ?' AND c = ? /* ? */`);
  t.is(r.text, `SELECT '?', "a?b" FROM t -- why?\nWHERE a = $1 AND b = 'it''s ?' AND c = $2 /* ? */`);
  t.is(r.count, 2);
  t.is(r.names, null);
});

test("@name placeholders (lock-store's shape) become $n, a repeated name reusing its number, bound from one object", (t) => {
  const r = translatePlaceholders("UPDATE locks SET state = @state, reason = @reason WHERE id = @id AND state != @state");
  t.is(r.text, "UPDATE locks SET state = $1, reason = $2 WHERE id = $3 AND state != $1");
  t.deepEqual(bindValues(r, [{ id: "x", state: "approved", reason: undefined }], "sql"), ["approved", null, "x"]);
});

test("dollar-quoted bodies are left alone", (t) => {
  t.is(translatePlaceholders("SELECT $$ a ? b $$, ?").text, "SELECT $$ a ? b $$, $1");
});

test("a wrong number of parameters, a missing name, or mixed styles is a clear error naming the SQL", (t) => {
  const two = translatePlaceholders("SELECT ? , ?");
  t.throws(() => bindValues(two, [1], "SELECT ? , ?"), { instanceOf: PlaceholderError, message: /takes 2 parameters, 1 given: SELECT/ });
  const named = translatePlaceholders("SELECT @a");
  t.throws(() => bindValues(named, [{}], "SELECT @a"), { message: /missing named parameter @a/ });
  t.throws(() => bindValues(named, [1], "SELECT @a"), { message: /pass one object/ });
  t.throws(() => translatePlaceholders("SELECT ?, @a"), { message: /mixes \? and @name/ });
});
