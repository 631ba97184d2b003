// Property tests over every checker: about 120,000 random and mutated payloads per run in total.
//  - no checker throws, whatever it is given;
//  - every payload made invalid is refused with a non-empty reason and the path of what was broken;
//  - every valid payload is accepted, returned equal, and survives encode/decode unchanged.
import test from "ava";
import fc from "fast-check";
import { type Checked, decode, encodeBytes, parseJson, type ParsedTopic, Topics } from "@shipgate/protocol";
import { nodeId, VALID } from "./arbitraries";
import { MESSAGES } from "./fixtures";

/** Runs per message kind for each property (14 kinds; see the total in the header). */
const RUNS = {
  anything: 1500,
  json: 700,
  valid: 1500,
  wrongLeaf: 2000,
  dropKey: 1000,
  extraKey: 500,
  unicode: 500,
};
const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const params = (numRuns: number): fc.Parameters<unknown> => (seed === undefined ? { numRuns } : { numRuns, seed });

/** A refusal must say where and why; a field path is "" or dot-separated keys and indexes. */
function wellFormedRefusal(result: Checked<unknown>): boolean {
  if (result.ok) return true;
  return typeof result.error === "string" && result.error.length > 0 && typeof result.field === "string" && (result.field === "" || result.field.split(".").every((level) => level.length > 0));
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** Every position inside a value, as paths (the root excluded). */
function paths(value: Json, base: Path = []): Path[] {
  const out: Path[] = [];
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) out.push([...base, i], ...paths(item, [...base, i]));
  } else if (value !== null && typeof value === "object") {
    for (const key of Object.keys(value)) out.push([...base, key], ...paths(value[key]!, [...base, key]));
  }
  return out;
}

function getAt(value: Json, path: Path): Json {
  let node: Json = value;
  for (const key of path) node = (node as Record<string | number, Json>)[key]!;
  return node;
}

function setAt(value: Json, path: Path, replacement: Json | undefined): Json {
  const copy = structuredClone(value);
  let node = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (replacement === undefined) delete node[last];
  else node[last] = replacement;
  return copy;
}

/** A value that no position holding `original` accepts: another type, or a string far too long. */
function wrongFor(original: Json): fc.Arbitrary<Json> {
  const longString = fc.integer({ min: 501, max: 20_000 }).map((n) => "x".repeat(n));
  const object = fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 3 }) as fc.Arbitrary<Json>;
  const array = fc.array(fc.integer(), { maxLength: 3 }) as fc.Arbitrary<Json>;
  if (typeof original === "string") return fc.oneof(fc.integer(), fc.boolean(), object, array, longString);
  if (typeof original === "number") {
    return fc.oneof(fc.string(), fc.boolean(), object, array, fc.constantFrom(1e21, -1e21, 0.5, -0.25, 2 ** 53));
  }
  if (typeof original === "boolean") return fc.oneof(fc.string(), fc.integer(), object, array);
  if (original === null) return fc.oneof(fc.boolean(), fc.integer({ min: -9, max: -1 }), array);
  if (Array.isArray(original)) return fc.oneof(fc.string(), fc.integer(), fc.boolean(), object);
  return fc.oneof(fc.string(), fc.integer(), fc.boolean(), array);
}

const pathText = (path: Path): string => path.join(".");

for (const kind of MESSAGES) {
  const valid = VALID[kind.name]!;
  const check = kind.check;

  test(`${kind.name}: never throws on any value, and refusals are well formed`, (t) => {
    fc.assert(
      fc.property(
        fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true, withSparseArray: true, withBoxedValues: true }),
        (value) => {
          const result = check(value);
          return wellFormedRefusal(result) && !(result.ok && (typeof value !== "object" || value === null));
        },
      ),
      params(RUNS.anything),
    );
    t.pass();
  });

  test(`${kind.name}: never throws on any JSON text, through decode`, (t) => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.json(),
          valid.map((v) => JSON.stringify(v)),
        ),
        (text) => wellFormedRefusal(decode(text, 1 << 20, check)),
      ),
      params(RUNS.json),
    );
    t.pass();
  });

  test(`${kind.name}: valid payloads are accepted, returned equal and round-trip through bytes`, (t) => {
    fc.assert(
      fc.property(valid, (value) => {
        t.deepEqual(check(value), { ok: true, value });
        t.deepEqual(decode(encodeBytes(value), 1 << 20, check), { ok: true, value });
      }),
      params(RUNS.valid),
    );
  });

  test(`${kind.name}: a value of the wrong type anywhere is refused at that path`, (t) => {
    const opaque = kind.opaque ?? [];
    const arb = valid.chain((value) => {
      const all = paths(value as Json).filter((p) => !opaque.includes(String(p[0])));
      if (all.length === 0) return fc.constant({ value, path: [] as Path, wrong: null as Json });
      return fc.constantFrom(...all).chain((path) => wrongFor(getAt(value as Json, path)).map((wrong) => ({ value, path, wrong })));
    });
    fc.assert(
      fc.property(arb, ({ value, path, wrong }) => {
        if (path.length === 0) return;
        const result = check(setAt(value as Json, path, wrong));
        t.false(result.ok, `${pathText(path)} = ${JSON.stringify(wrong)?.slice(0, 60)}`);
        if (!result.ok) {
          t.true(wellFormedRefusal(result));
          t.true(result.field === pathText(path) || result.field.startsWith(pathText(path) + "."), `${result.field} vs ${pathText(path)}`);
        }
      }),
      params(RUNS.wrongLeaf),
    );
  });

  test(`${kind.name}: a dropped key is refused by name when required, accepted otherwise`, (t) => {
    const arb = valid.chain((value) => fc.constantFrom(...Object.keys(value)).map((key) => ({ value, key })));
    fc.assert(
      fc.property(arb, ({ value, key }) => {
        const rest: Record<string, unknown> = { ...value };
        delete rest[key];
        const result = check(rest);
        if (kind.required.includes(key)) {
          t.deepEqual(result, { ok: false, field: key, error: "is required" });
        } else {
          t.true(result.ok, key);
          // What the checker returns it accepts again unchanged.
          if (result.ok) t.deepEqual(check(result.value), result);
        }
      }),
      params(RUNS.dropKey),
    );
  });

  test(`${kind.name}: extra keys are ignored`, (t) => {
    const known = new Set(Object.keys(kind.examples[0]!));
    fc.assert(
      fc.property(
        valid,
        fc.string().filter((k) => !known.has(k)),
        fc.jsonValue(),
        (value, key, extra) => {
          t.deepEqual(check({ ...value, [key]: extra }), { ok: true, value });
        },
      ),
      params(RUNS.extraKey),
    );
  });

  test(`${kind.name}: any unicode in string fields never throws, and what is accepted round-trips`, (t) => {
    const arb = valid.chain((value) => {
      const strings = paths(value as Json).filter((p) => typeof getAt(value as Json, p) === "string");
      if (strings.length === 0) return fc.constant({ value, path: [] as Path, text: "" });
      return fc.record({
        value: fc.constant(value),
        path: fc.constantFrom(...strings),
        text: fc.string({ unit: fc.constantFrom("binary", "grapheme", "binary-ascii").chain((u) => fc.string({ unit: u as "binary", minLength: 1, maxLength: 1 })), maxLength: 60 }),
      });
    });
    fc.assert(
      fc.property(arb, ({ value, path, text }) => {
        if (path.length === 0) return;
        const changed = setAt(value as Json, path, text);
        const result = check(changed);
        t.true(wellFormedRefusal(result));
        if (result.ok) t.deepEqual(decode(encodeBytes(result.value), 1 << 20, check), result);
        else t.true(result.field === pathText(path), `${result.field} vs ${pathText(path)}`);
      }),
      params(RUNS.unicode),
    );
  });
}

test("parseJson never throws on random bytes, and what it accepts is what JSON.parse gives", (t) => {
  const strict = new TextDecoder("utf-8", { fatal: true });
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 64 }),
        fc.json().map((s) => new TextEncoder().encode(s)),
      ),
      (bytes) => {
        const result = parseJson(bytes, 1 << 20);
        t.true(wellFormedRefusal(result));
        if (result.ok) t.deepEqual(result.value, JSON.parse(strict.decode(bytes)));
      },
    ),
    params(5000),
  );
});

/** Build the topic parse() described, to check that parse and the builders agree. */
function rebuild(topics: Topics, parsed: ParsedTopic): string | undefined {
  switch (parsed.kind) {
    case "lock-request":
      return parsed.user === undefined ? topics.lockRequest() : topics.lockRequestFor(parsed.user);
    case "lock-state":
      return topics.lockState(parsed.id);
    case "lock-cancel":
      return parsed.user === undefined ? topics.lockCancel(parsed.id) : topics.lockCancelFor(parsed.id, parsed.user);
    case "owner-lock-state":
      return topics.ownerLockState(parsed.user, parsed.id);
    case "mode":
      return topics.mode();
    case "error":
      return topics.errors(parsed.clientId);
    case "admin":
      return topics.adminCommand(parsed.user, parsed.command);
    case "reply":
      return topics.reply(parsed.user, parsed.correlation);
    case "gadget-event":
      return topics.gadgetEvent(parsed.gadget);
    case "gadget-ack":
      return topics.gadgetAck(parsed.gadget);
    case "gadget-view":
      return topics.gadgetView(parsed.gadget);
    case "gadget-status":
      return topics.gadgetStatus(parsed.gadget);
    case "gadget-telemetry":
      return topics.gadgetTelemetry(parsed.gadget);
    case "presence":
      return topics.presence(parsed.node);
    case "bridge-status":
      return topics.bridgeStatus();
    case "unknown":
      return undefined;
    default: {
      // A kind added to ParsedTopic without a case here is a type error, not a silent undefined.
      const missing: never = parsed;
      return missing;
    }
  }
}

test("topics: parse never throws, and every topic it recognises is rebuilt exactly by the builders", (t) => {
  const topics = new Topics();
  const level = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constantFrom(
        "locks",
        "request",
        "cancel",
        "owners",
        "mode",
        "errors",
        "admin",
        "decide",
        "gadgets",
        "event",
        "ack",
        "view",
        "status",
        "telemetry",
        "presence",
        "bridge",
        "replies",
        "alice",
        "+",
        "#",
        "",
        "3f2b8c1e-0d4a-4f7e-9c61-2a5d8e7f9b10",
      ),
    },
    nodeId,
    fc.string({ maxLength: 8 }),
  );
  const topic = fc.tuple(fc.constantFrom("shipgate/v1/", "shipgate/v1/", "shipgate/", ""), fc.array(level, { minLength: 1, maxLength: 4 })).map(([prefix, levels]) => prefix + levels.join("/"));
  let recognised = 0;
  fc.assert(
    fc.property(topic, (name) => {
      const parsed = topics.parse(name);
      if (parsed.kind === "unknown") {
        t.true(parsed.reason.length > 0);
        return;
      }
      recognised++;
      t.is(rebuild(topics, parsed), name);
      t.false(
        name.split("/").some((l) => l === "+" || l === "#" || l === ""),
        `${name} has a wildcard or empty level`,
      );
    }),
    params(10_000),
  );
  // The generator must reach real topics often enough for the round trip to mean something.
  t.true(recognised > 100, `only ${recognised} recognised topics`);
});
