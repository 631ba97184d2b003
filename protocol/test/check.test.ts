// The check kit itself, for the readers the message checkers do not use yet.
import test from "ava";
import { checkString, Fields, invalid, joinPath, object, valid } from "@shipgate/protocol";

test("joinPath builds dotted paths from the root", (t) => {
  t.is(joinPath("", "rings"), "rings");
  t.is(joinPath("rings", 1), "rings.1");
  t.is(joinPath("rings.1", "scene"), "rings.1.scene");
});

test("object() refuses non-objects at the given path and reads objects", (t) => {
  t.deepEqual(object(undefined, "a"), invalid("a", "is required"));
  t.deepEqual(object([], "a"), invalid("a", "must be a JSON object"));
  t.true(object({}, "a") instanceof Fields);
});

test("number readers accept finite numbers in range only", (t) => {
  const read = (value: unknown) => {
    const f = new Fields({ n: value }, "x");
    const n = f.number("n", -1.5, 2.5);
    return f.done(() => n);
  };
  t.deepEqual(read(2.5), valid(2.5));
  t.deepEqual(read(-1.5), valid(-1.5));
  t.deepEqual(read(3), invalid("x.n", "must be between -1.5 and 2.5"));
  t.deepEqual(read(Number.NaN), invalid("x.n", "must be a finite number"));
  t.deepEqual(read(Number.POSITIVE_INFINITY), invalid("x.n", "must be a finite number"));
  t.deepEqual(read("1"), invalid("x.n", "must be a finite number"));
  t.deepEqual(read(undefined), invalid("x.n", "is required"));
  const f = new Fields({ a: null }, "");
  t.is(f.optionalNumber("a", 0, 1), undefined);
  t.is(f.optionalNumber("b", 0, 1), undefined);
  t.is(f.failure, undefined);
});

test("only the first failure is kept", (t) => {
  const f = new Fields({ a: 1, b: "x" }, "");
  f.string("a");
  f.integer("b", 0, 1);
  t.deepEqual(
    f.done(() => 0),
    invalid("a", "must be a string"),
  );
});

test("inherited properties are not fields", (t) => {
  const f = new Fields(Object.create({ a: "inherited" }) as Record<string, unknown>, "");
  t.is(f.optionalString("a"), undefined);
  t.false(f.has("toString"));
  t.deepEqual(
    f.done(() => 1),
    valid(1),
  );
});

test("checkString names the rule that fails", (t) => {
  t.is(checkString("", { min: 1 }), "must not be empty");
  t.is(checkString("ab", { min: 3 }), "must have at least 3 characters");
  t.is(checkString("abcd", { max: 3 }), "must have at most 3 characters");
  t.is(checkString("abc", { pattern: /^\d+$/ }), "must be well formed");
  t.is(checkString("abc", { pattern: /^\d+$/, patternText: "digits" }), "must be digits");
  t.is(checkString("123", { min: 1, max: 3, pattern: /^\d+$/ }), undefined);
});
