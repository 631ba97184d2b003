// The bounded offline outbox: portable cases, run on Node and in XS (outbox.test.ts).
import { Outbox } from "../core/outbox";

function same(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

export default {
  "keeps events in order": () => {
    const o = new Outbox<number>({ capacity: 4 });
    o.push(1, 0);
    o.push(2, 10);
    o.push(3, 20);
    same([o.size, o.shift(), o.shift(), o.shift(), o.shift()], [3, 1, 2, 3, undefined], "drain");
    return o.size;
  },
  "a full outbox drops the oldest and counts it": () => {
    const o = new Outbox<number>({ capacity: 3 });
    const dropped: (number | undefined)[] = [];
    for (let i = 1; i <= 5; i++) dropped.push(o.push(i, i));
    same(dropped, [undefined, undefined, undefined, 1, 2], "dropped");
    same([o.items(), o.overflowed], [[3, 4, 5], 2], "kept and counted");
    return o.items();
  },
  "events older than maxAge are taken out, younger stay": () => {
    const o = new Outbox<string>({ capacity: 8, maxAgeMs: 30000 });
    o.push("a", 0);
    o.push("b", 10000);
    o.push("c", 25000);
    same(o.hasExpired(30000), false, "at exactly 30 s");
    same(o.hasExpired(30001), true, "just after 30 s");
    same(o.takeExpired(40001), ["a", "b"], "expired at 40.001 s");
    same([o.items(), o.expired], [["c"], 2], "left and counted");
    return o.items();
  },
  "nothing expires in an empty outbox": () => {
    const o = new Outbox<string>();
    same([o.hasExpired(1e9), o.takeExpired(1e9)], [false, []], "empty");
    return o.options;
  },
  "defaults: 16 events, 30 s": () => {
    const o = new Outbox<number>();
    for (let i = 0; i < 20; i++) o.push(i, 0);
    same([o.size, o.overflowed, o.options.maxAgeMs], [16, 4, 30000], "defaults");
    return o.options;
  },
  "rejects a capacity below one": () => {
    try {
      new Outbox({ capacity: 0 });
    } catch (e) {
      return (e as Error).name;
    }
    throw new Error("capacity 0 was accepted");
  },
};
