// The shared backoff policy (gadget reconnect, CI polls, Argo CD watch, the links and the CLI): portable cases, run on Node and in XS (backoff.test.ts).
import { Backoff } from "../src/backoff";

function same(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

/** A random source that replays values. */
function replay(values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

export default {
  "doubles from 1 s to the 64 s cap without jitter": () => {
    const b = new Backoff({}, () => 0);
    const delays: number[] = [];
    for (let i = 0; i < 9; i++) delays.push(b.next());
    same(delays, [1000, 2000, 4000, 8000, 16000, 32000, 64000, 64000, 64000], "delays");
    return delays;
  },
  "jitter takes up to a quarter away, never adds": () => {
    const b = new Backoff({}, replay([0.999999, 0.5, 0]));
    const delays = [b.next(), b.next(), b.next(), b.next()];
    // base 1000 * (1 - 0.25 * 0.999999), 2000 * 0.875, 4000 * 1, 8000 * 0.75
    same(delays, [750, 1750, 4000, 6000], "delays");
    return delays;
  },
  "stays within [0.75 base, base] for any random value": () => {
    const b = new Backoff({}, replay([0.1, 0.9, 0.37, 0.99, 0.01, 0.6, 0.42]));
    const out: number[] = [];
    for (let i = 0; i < 40; i++) {
      const base = b.baseMs;
      const d = b.next();
      if (d < base * 0.75 || d > base) throw new Error(`attempt ${i}: delay ${d} outside [${base * 0.75}, ${base}]`);
      out.push(d);
    }
    return out.slice(0, 8);
  },
  "reset after success starts again from 1 s": () => {
    const b = new Backoff({}, () => 0);
    b.next();
    b.next();
    b.next();
    same(b.attempts, 3, "attempts before reset");
    b.reset();
    same([b.attempts, b.next(), b.next()], [0, 1000, 2000], "after reset");
    return b.attempts;
  },
  "a week of failures does not overflow": () => {
    const b = new Backoff({}, () => 0);
    let last = 0;
    for (let i = 0; i < 20000; i++) last = b.next();
    same(last, 64000, "delay after 20000 attempts");
    return last;
  },
  "out-of-range random values count as no jitter": () => {
    const b = new Backoff({}, replay([Number.NaN, 1, -3]));
    return [b.next(), b.next(), b.next()];
  },
  "rejects a policy that cannot work": () => {
    const errors: string[] = [];
    for (const o of [{ initialMs: 0 }, { initialMs: 5000, maxMs: 1000 }, { jitter: 2 }]) {
      try {
        new Backoff(o);
        errors.push("accepted");
      } catch (e) {
        errors.push((e as Error).name);
      }
    }
    same(errors, ["RangeError", "RangeError", "RangeError"], "errors");
    return errors;
  },
  "full jitter with a floor: the CI poller's shape": () => {
    const b = new Backoff({ initialMs: 10_000, maxMs: 900_000, jitter: 1, floorMs: 1000 }, replay([0.999, 0.5, 0, 0.9999]));
    const delays = [b.next(), b.next(), b.next(), b.next()];
    // 10 s * 0.001 hits the 1 s floor; 20 s * 0.5; 40 s * 1; 80 s * 0.0001 rounds to 8 ms, floored
    same(delays, [1000, 10000, 40000, 1000], "delays");
    return delays;
  },
  "rejects a floor above the cap": () => {
    try {
      new Backoff({ maxMs: 1000, floorMs: 2000 });
    } catch (e) {
      return (e as Error).name;
    }
    throw new Error("accepted floorMs > maxMs");
  },
};
