// Topic builders and the parser: every topic round-trips, prefixes are checked, and wildcards or
// extra levels never parse as a real topic.
import test from "ava";
import { DEFAULT_PREFIX, type ParsedTopic, prefixProblem, Topics } from "@shipgate/protocol";
import { LOCK_ID } from "./fixtures";

/** Every concrete topic, built, with what parse() must say about it. */
function everyTopic(topics: Topics): [string, ParsedTopic][] {
  return [
    [topics.lockRequest(), { kind: "lock-request" }],
    [topics.lockState(LOCK_ID), { kind: "lock-state", id: LOCK_ID }],
    [topics.lockCancel(LOCK_ID), { kind: "lock-cancel", id: LOCK_ID }],
    [topics.lockCancelFor(LOCK_ID, "ci.prod"), { kind: "lock-cancel", id: LOCK_ID, user: "ci.prod" }],
    [topics.ownerLockState("ci", LOCK_ID), { kind: "owner-lock-state", user: "ci", id: LOCK_ID }],
    [topics.mode(), { kind: "mode" }],
    [topics.errors("gate-7f3a"), { kind: "error", clientId: "gate-7f3a" }],
    [topics.adminCommand("alice", "mode"), { kind: "admin", user: "alice", command: "mode" }],
    [topics.adminCommand("ci-bot.2", "decide"), { kind: "admin", user: "ci-bot.2", command: "decide" }],
    [topics.adminCommand("alice", "status"), { kind: "admin", user: "alice", command: "status" }],
    [topics.reply("alice", "c-17"), { kind: "reply", user: "alice", correlation: "c-17" }],
    [topics.gadgetEvent("desk-1"), { kind: "gadget-event", gadget: "desk-1" }],
    [topics.gadgetAck("desk-1"), { kind: "gadget-ack", gadget: "desk-1" }],
    [topics.gadgetView("desk-1"), { kind: "gadget-view", gadget: "desk-1" }],
    [topics.gadgetStatus("desk-1"), { kind: "gadget-status", gadget: "desk-1" }],
    [topics.gadgetTelemetry("desk-1"), { kind: "gadget-telemetry", gadget: "desk-1" }],
    [topics.presence("alice.laptop_2"), { kind: "presence", node: "alice.laptop_2" }],
    [topics.bridgeStatus(), { kind: "bridge-status" }],
  ];
}

test("the default prefix gives the contract's pipeline topics", (t) => {
  const topics = new Topics();
  t.is(topics.prefix, "shipgate/v1/");
  t.is(DEFAULT_PREFIX, "shipgate/v1/");
  t.is(topics.lockRequest(), "shipgate/v1/locks/request");
  t.is(topics.lockRequestFor("ci"), "shipgate/v1/locks/request/ci");
  t.deepEqual(topics.parse("shipgate/v1/locks/request/ci"), { kind: "lock-request", user: "ci" });
  t.is(topics.lockState(LOCK_ID), `shipgate/v1/locks/${LOCK_ID}`);
  t.is(topics.lockCancel(LOCK_ID), `shipgate/v1/locks/${LOCK_ID}/cancel`);
  // The user-scoped topics an external broker's ACL binds (issue 13).
  t.is(topics.lockCancelFor(LOCK_ID, "ci"), `shipgate/v1/locks/${LOCK_ID}/cancel/ci`);
  t.is(topics.ownerLockState("ci", LOCK_ID), `shipgate/v1/owners/ci/locks/${LOCK_ID}`);
  t.is(topics.mode(), "shipgate/v1/mode");
  t.is(topics.errors("c1"), "shipgate/v1/errors/c1");
});

for (const prefix of [DEFAULT_PREFIX, "acme/", "team/a/shipgate/v1/", "a$b/"]) {
  test(`every topic round-trips through parse() with prefix ${prefix}`, (t) => {
    const topics = new Topics(prefix);
    for (const [topic, parsed] of everyTopic(topics)) {
      t.true(topic.startsWith(prefix), topic);
      t.deepEqual(topics.parse(topic), parsed, topic);
    }
  });
}

test("subscription filters cover the topics they are for", (t) => {
  const topics = new Topics("acme/");
  t.is(topics.allLockStates(), "acme/locks/+");
  t.is(topics.allLockCancels(), "acme/locks/+/cancel");
  t.is(topics.allUserLockCancels(), "acme/locks/+/cancel/+");
  t.is(topics.ownerLockStates("ci"), "acme/owners/ci/locks/+");
  t.is(topics.allGadgetEvents(), "acme/gadgets/+/event");
  t.is(topics.allGadgetStatus(), "acme/gadgets/+/status");
  t.is(topics.allGadgetTelemetry(), "acme/gadgets/+/telemetry");
  t.is(topics.allPresence(), "acme/presence/+");
  t.is(topics.allAdminCommands(), "acme/admin/+/+");
});

test("bad prefixes are refused with the reason", (t) => {
  const cases: [string, RegExp][] = [
    ["", /1 to 100 characters/],
    ["x".repeat(100) + "/", /1 to 100 characters/],
    ["shipgate/v1", /end with '\/'/],
    ["/shipgate/", /not start with '\/'/],
    ["$SYS/", /not start with '\$'/],
    ["$share/group/", /not start with '\$'/],
    ["ship+gate/", /'#', '\+' or NUL/],
    ["shipgate/#/", /'#', '\+' or NUL/],
    ["ship\u0000gate/", /NUL/],
    ["shipgate//v1/", /empty level/],
  ];
  for (const [prefix, reason] of cases) {
    t.regex(prefixProblem(prefix) ?? "", reason, JSON.stringify(prefix));
    const error = t.throws(() => new Topics(prefix));
    t.true(error?.message.includes(JSON.stringify(prefix).slice(1, -1)) || prefix.includes("\u0000"), error?.message);
  }
  t.is(prefixProblem("a/"), undefined);
});

test("topics outside the prefix, wildcards and extra levels are unknown, with a reason", (t) => {
  const topics = new Topics();
  const unknown: string[] = [
    "other/v1/locks/request",
    "shipgate/v2/locks/request",
    "shipgate/v1",
    "shipgate/v1/",
    "shipgate/v1/locks",
    "shipgate/v1/locks/",
    "shipgate/v1/locks/+",
    "shipgate/v1/locks/#",
    // locks/request/<user> is a user's own request topic (issue 13); deeper or wildcard is not.
    "shipgate/v1/locks/request/extra/more",
    "shipgate/v1/locks/request/+",
    `shipgate/v1/locks/${LOCK_ID}/`,
    // locks/<id>/cancel/<user> is a user's own cancel topic; a wildcard, deeper or bad user is not.
    `shipgate/v1/locks/${LOCK_ID}/cancel/+`,
    `shipgate/v1/locks/${LOCK_ID}/cancel/ci/now`,
    `shipgate/v1/locks/${LOCK_ID}/cancel/-ci`,
    "shipgate/v1/locks/not-a-uuid/cancel/ci",
    "shipgate/v1/owners/ci",
    "shipgate/v1/owners/ci/locks",
    "shipgate/v1/owners/+/locks/" + LOCK_ID,
    "shipgate/v1/owners/ci/locks/+",
    "shipgate/v1/owners/ci/locks/not-a-uuid",
    `shipgate/v1/owners/ci/locks/${LOCK_ID}/cancel`,
    `shipgate/v1/owners/ci/gadgets/${LOCK_ID}`,
    `shipgate/v1/locks/${LOCK_ID}/approve`,
    "shipgate/v1/locks/not-a-uuid",
    "shipgate/v1/mode/",
    "shipgate/v1/mode/x",
    "shipgate/v1/errors",
    "shipgate/v1/errors/",
    "shipgate/v1/errors/a/b",
    "shipgate/v1/admin/mode",
    "shipgate/v1/admin/alice/mode/x",
    "shipgate/v1/admin/alice/other",
    "shipgate/v1/admin/+/mode",
    "shipgate/v1/admin/-x/mode",
    "shipgate/v1/replies/alice",
    "shipgate/v1/replies/alice/",
    "shipgate/v1/gadgets/+/event",
    "shipgate/v1/gadgets/#",
    "shipgate/v1/gadgets//event",
    "shipgate/v1/gadgets/-desk/event",
    "shipgate/v1/gadgets/desk 1/event",
    "shipgate/v1/gadgets/desk-1/events",
    "shipgate/v1/gadgets/desk-1",
    "shipgate/v1/gadgets/desk-1/event/x",
    `shipgate/v1/gadgets/${"g".repeat(65)}/event`,
    "shipgate/v1/presence/+",
    "shipgate/v1/presence/",
    "shipgate/v1/presence/a/b",
    "shipgate/v1/bridge/status/x",
    "shipgate/v1/bridge",
    "SHIPGATE/v1/mode",
    "/shipgate/v1/mode",
  ];
  for (const topic of unknown) {
    const parsed = topics.parse(topic);
    t.is(parsed.kind, "unknown", topic);
    if (parsed.kind === "unknown") t.true(parsed.reason.length > 0, topic);
  }
  t.regex((topics.parse("other/x") as { reason: string }).reason, /outside prefix shipgate\/v1\//);
  t.regex((topics.parse("shipgate/v1/locks/abc") as { reason: string }).reason, /UUID/);
  t.regex((topics.parse("shipgate/v1/gadgets/+/event") as { reason: string }).reason, /gadget id/);
});

test("a topic for one prefix is outside another that merely shares its start", (t) => {
  const topics = new Topics("shipgate/v1/");
  t.is(topics.parse("shipgate/v10/mode").kind, "unknown");
  t.is(new Topics("shipgate/").parse("shipgate/v1/mode").kind, "unknown");
});

test("reply topics with wildcard or malformed levels are unknown", (t) => {
  const topics = new Topics();
  for (const topic of ["shipgate/v1/replies/+/c1", "shipgate/v1/replies/alice/+", "shipgate/v1/replies/alice/#", "shipgate/v1/replies//c1"]) {
    t.is(topics.parse(topic).kind, "unknown", topic);
  }
});
