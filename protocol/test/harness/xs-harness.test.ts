// The XS harness itself: it must run code in the real XS engine and report what XS cannot run.
import test from "ava";
import { measureInXs, runCasesInXs, runCasesOnNode } from "../../../tools/xs/cases";
import { encodeNetstring, NetstringReader } from "../../../tools/xs/netstring";
import { XsError, XsWorker } from "../../../tools/xs/worker";

const missing = new URL("./xs-missing.cases.ts", import.meta.url).pathname;

test("a case using an API missing in XS 13.3 passes on Node and fails in XS with XS's error", async (t) => {
  const onNode = await runCasesOnNode(missing);
  const inXs = await runCasesInXs(missing);
  t.deepEqual(onNode.toSorted, { ok: true, value: [1, 2, 3] });
  t.deepEqual(onNode.isWellFormed, { ok: true, value: true });
  for (const name of ["toSorted", "isWellFormed"]) {
    const outcome = inXs[name]?.outcome;
    t.is(outcome?.ok, false, `${name} should fail in XS`);
    t.regex(outcome?.ok === false ? outcome.error : "", new RegExp(`TypeError: .*${name}.*no.*function`), name);
  }
});

test("cases that both engines run give equal results, including resolved promises", async (t) => {
  const onNode = await runCasesOnNode(missing);
  const inXs = await runCasesInXs(missing);
  for (const name of ["findLastIndex", "asyncValue"]) {
    t.deepEqual(inXs[name]?.outcome, onNode[name], name);
    t.true((inXs[name]?.compute ?? 0) > 0, `${name} is metered`);
  }
  t.deepEqual(onNode.asyncValue, { ok: true, value: { later: [1, "two"] } });
});

test("a case that throws fails with the same text on Node and in XS", async (t) => {
  const onNode = await runCasesOnNode(missing);
  const inXs = await runCasesInXs(missing);
  t.deepEqual(onNode.throws, { ok: false, error: "RangeError: case says no" });
  t.deepEqual(inXs.throws?.outcome, onNode.throws);
});

test("a promise that never settles is reported in XS, not awaited forever", async (t) => {
  const inXs = await runCasesInXs(missing);
  const outcome = inXs.neverSettles?.outcome;
  t.is(outcome?.ok, false);
  t.regex(outcome?.ok === false ? outcome.error : "", /had not settled/);
});

test("XsWorker: an uncaught exception carries XS's message and the worker stays usable", async (t) => {
  const worker = new XsWorker({ name: "harness-test" });
  t.teardown(() => worker.close());
  const error = await t.throwsAsync(worker.evaluate("null.x"), { instanceOf: XsError });
  t.regex(error?.xsMessage ?? "", /TypeError/);
  await worker.evaluate("globalThis.handleCommand = (b) => new Uint8Array(b).reverse().buffer");
  const reply = await worker.command("abc");
  t.is(reply.reply.toString(), "cba");
  t.true(reply.meter.compute > 0);
  t.true(reply.meter.currentHeapCount > 0);
});

test("XsWorker: answers issueCommand queries from inside XS", async (t) => {
  const queries: string[] = [];
  const worker = new XsWorker({ onQuery: (q) => (queries.push(q.toString()), "pong:" + q.toString()) });
  t.teardown(() => worker.close());
  await worker.evaluate(`globalThis.handleCommand = () => {
    const answer = issueCommand(new TextEncoder().encode("ping").buffer);
    return new TextEncoder().encode("got " + new TextDecoder().decode(new Uint8Array(answer))).buffer;
  }`);
  t.is((await worker.command("")).reply.toString(), "got pong:ping");
  t.deepEqual(queries, ["ping"]);
});

test("XsWorker: a runaway loop is stopped by the metering limit and reported", async (t) => {
  const worker = new XsWorker({ name: "runaway", meteringLimit: 1_000_000 });
  t.teardown(() => worker.close());
  const error = await t.throwsAsync(worker.evaluate("for (;;) {}"), { instanceOf: XsError });
  t.regex(error?.message ?? "", /runaway.*too much computation/);
  await t.throwsAsync(worker.evaluate("1"), { message: /exited/ });
});

test("netstrings: split and merged chunks give whole messages; malformed streams are refused", (t) => {
  const wire = Buffer.concat([encodeNetstring([Buffer.from("e"), Buffer.from("1+1")]), encodeNetstring([Buffer.from("")])]);
  t.is(wire.toString(), "4:e1+1,0:,");
  const reader = new NetstringReader();
  const got: string[] = [];
  for (const byte of wire) got.push(...reader.push(Buffer.from([byte])).map(String));
  t.deepEqual(got, ["e1+1", ""]);
  t.throws(() => new NetstringReader().push(Buffer.from("3:abc;")), { message: /not followed by ','/ });
  t.throws(() => new NetstringReader().push(Buffer.from("x:")), { message: /bad length prefix/ });
  t.throws(() => new NetstringReader(10).push(Buffer.from("11:")), { message: /exceeds 10/ });
});

test("measureInXs: per-call cost is deterministic, subtracts the loop, and grows with the work", async (t) => {
  const cases = new URL("./xs-cost.cases.ts", import.meta.url).pathname;
  const small = await measureInXs(cases, "hash64", 20);
  const large = await measureInXs(cases, "hash640", 20);
  const again = await measureInXs(cases, "hash64", 20);
  t.is(small.repeats, 20);
  t.true(small.computePerCall > 0);
  t.is(again.computePerCall, small.computePerCall, "computrons do not depend on timing");
  // Ten times the blocks: the per-call cost is dominated by compression, so well over 5x.
  t.true(large.computePerCall > 5 * small.computePerCall, `${large.computePerCall} vs ${small.computePerCall}`);
  t.true(small.slotsPerCall > 0 && small.slotsPerCall < 200, `slots per call ${small.slotsPerCall}`);
  const nothing = await measureInXs(cases, "nothing", 50);
  t.true(Math.abs(nothing.computePerCall) <= 5, `an empty case costs ${nothing.computePerCall}`);
  t.log({ small, large, nothing });
});
