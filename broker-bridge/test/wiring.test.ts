// The wiring: start order comes from the ports services need and offer; a missing, doubled or
// circular need is refused before anything starts, naming the services and the port.

import test from "ava";
import { defaultServices } from "../src/services";
import { type Port, optional, port } from "../src/ports/port";
import type { Service } from "../src/service";
import { LockQueries, LockDecisions } from "../src/ports/gates";
import { Presence } from "../src/ports/presence";
import { Views } from "../src/ports/gadgets";
import { PortBoard, WiringError, startOrder } from "../src/wiring";

const A = port<{ a(): number }>("a");
const B = port<{ b(): number }>("b");

function svc(name: string, offers: Port<unknown>[] = [], needs: Service["needs"] = []): Service {
  return { name, offers, needs, start() {} };
}

test("providers start before the services that need them; otherwise the listed order holds", (t) => {
  const order = startOrder([svc("uses-b", [], [B]), svc("first"), svc("offers-b", [B], [A]), svc("offers-a", [A])]);
  t.deepEqual(
    order.map((s) => s.name),
    ["offers-a", "offers-b", "uses-b", "first"],
  );
});

test("a missing need is an error naming the service and the port; a missing optional need is not", (t) => {
  const err = t.throws(() => startOrder([svc("x", [], [A])]), { instanceOf: WiringError });
  t.regex(err.message, /x needs port "a", and no service offers it/);
  t.deepEqual(
    startOrder([svc("x", [], [optional(A)])]).map((s) => s.name),
    ["x"],
  );
});

test("a circle of needs is refused with the loop spelled out", (t) => {
  const err = t.throws(() => startOrder([svc("one", [A], [B]), svc("two", [B], [A])]), { instanceOf: WiringError });
  t.regex(err.message, /circle: one -> two -> one/);
});

test("a port offered twice is refused", (t) => {
  t.throws(() => startOrder([svc("one", [A]), svc("two", [A])]), { message: /offered by both one and two/ });
});

test("a service sees only the ports it declared, and must offer what it declares", (t) => {
  const provider = svc("p", [A]);
  const consumer = svc("c", [], [A]);
  const board = new PortBoard([provider, consumer]);
  const p = board.accessFor(provider);
  t.throws(() => p.offer(B, { b: () => 2 }), { message: /p offers port "b" without declaring it/ });
  t.throws(() => board.checkOffered(provider), { message: /p declares port "a" but did not offer it/ });
  t.throws(() => board.accessFor(consumer).need(A), { message: /before p offered it/ });
  p.offer(A, { a: () => 1 });
  t.is(board.accessFor(consumer).need(A).a(), 1);
  t.throws(() => board.accessFor(consumer).need(B), { message: /c uses port "b" without declaring it/ });
});

test("the product's services: presence before gates before gadgets, and the rest after what they use", (t) => {
  const order = startOrder(defaultServices({} as never)).map((s) => s.name);
  const at = (name: string) => order.indexOf(name);
  t.true(at("presence") < at("gates"));
  t.true(at("gates") < at("gadgets"));
  t.true(at("gates") < at("security"));
  for (const name of ["argocd", "ci", "counters"]) t.true(at("gadgets") < at(name), name);
  t.true(at("ci") < at("counters"));
  t.true(at("gates") < at("github-app"));
  t.is(order.length, defaultServices({} as never).length, "every service starts once");
  // Every port a product service needs is offered by one of them.
  const offered = new Set(defaultServices({} as never).flatMap((s) => (s.offers ?? []).map((p) => p.name)));
  for (const p of [LockQueries, LockDecisions, Presence, Views]) t.true(offered.has(p.name), p.name);
});

test("the gates' refusals are recognised through the port without importing the gates", async (t) => {
  const { GateRefusal } = await import("../src/gates/lock-service");
  const { isGateRefusal } = await import("../src/ports/gates");
  t.true(isGateRefusal(new GateRefusal("id", "no lock is pending")));
  t.false(isGateRefusal(new Error("disk full")));
});
