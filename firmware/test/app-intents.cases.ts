// Button gestures to intents, and views to what the rings and display show: portable cases, run
// on Node and in XS (app-intents.test.ts).
import type { GadgetView } from "@shipgate/protocol/messages";
import { intentFor } from "../core/intents";
import { present, presentStandby } from "../core/presentation";

function same(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

const HEAD = { id: "3f2b8c1e-0d4a-4f7e-9c61-2a5d8e7f9b10", pipeline: "api", step: "deploy-prod", summary: "v1.4.2 by alice" };

function view(over: Partial<GadgetView> = {}): GadgetView {
  return {
    mode: "default",
    head: HEAD,
    queue: 1,
    rings: [{ scene: "locked" }, { scene: "out_of_sync", segments: [{ start: 0, count: 3, scene: "syncing" }] }],
    display: { kind: "text", text: "1 WAITING" },
    can_decide: true,
    sync_ready: 2,
    at: "2026-11-20T15:04:05.000Z",
    ...over,
  };
}

export default {
  "approve short decides the head lock shown": () => {
    const i = intentFor("approve", "short", view());
    same(i, { kind: "send", button: "approve", gesture: "short", lockId: HEAD.id, label: "APPROVE" }, "intent");
    return i;
  },
  "reject short decides the head lock shown": () => {
    const i = intentFor("reject", "short", view());
    same(i, { kind: "send", button: "reject", gesture: "short", lockId: HEAD.id, label: "REJECT" }, "intent");
    return i;
  },
  "approve or reject with no lock is refused locally": () => {
    const out = [intentFor("approve", "short", view({ head: null })), intentFor("reject", "short", null)];
    same(
      out,
      [
        { kind: "refuse", message: "NO LOCK" },
        { kind: "refuse", message: "NO LOCK" },
      ],
      "intents",
    );
    return out;
  },
  "a gadget that may not decide is refused locally": () => {
    const i = intentFor("approve", "short", view({ can_decide: false }));
    same(i, { kind: "refuse", message: "NOT ALLOWED" }, "intent");
    return i;
  },
  "long presses change the mode, with or without a lock": () => {
    const out = [intentFor("approve", "long", null), intentFor("reject", "long", view({ can_decide: false }))];
    same(
      out,
      [
        { kind: "send", button: "approve", gesture: "long", label: "DEFAULT" },
        { kind: "send", button: "reject", gesture: "long", label: "BLOCKED" },
      ],
      "intents",
    );
    return out;
  },
  "release short asks for released mode, long for default": () => {
    const out = [intentFor("release", "short", null), intentFor("release", "long", view())];
    same(
      out.map((i) => (i.kind === "send" ? i.gesture + ":" + i.label : i.kind)),
      ["short:RELEASED", "long:DEFAULT"],
      "intents",
    );
    return out;
  },
  "sync needs the hold; a shorter press only hints": () => {
    const out = [intentFor("sync", "hold", view()), intentFor("sync", "short", view())];
    same(
      out,
      [
        { kind: "send", button: "sync", gesture: "hold", label: "SYNC" },
        { kind: "hint", message: "HOLD TO SYNC" },
      ],
      "intents",
    );
    return out;
  },
  "a pending lock shows pipeline, step and summary; rings map in order": () => {
    const p = present(view());
    same(p.display, { kind: "text", text: "api deploy-prod v1.4.2 by alice" }, "display");
    same([p.ringA.scene, p.ringB.scene, p.ringB.segments?.length], ["locked", "out_of_sync", 1], "rings");
    return p;
  },
  "without a lock the view's text or counter shows": () => {
    const text = present(view({ head: null, display: { kind: "text", text: "ALL CLEAR" } })).display;
    const counter = present(view({ head: null, display: { kind: "counter", text: "DEPLOYS", value: 42 } })).display;
    same(
      [text, counter],
      [
        { kind: "text", text: "ALL CLEAR" },
        { kind: "counter", label: "DEPLOYS", value: 42 },
      ],
      "display",
    );
    return [text, counter];
  },
  "an empty summary leaves no trailing space": () => {
    const p = present(view({ head: { ...HEAD, summary: "" } }));
    same(p.display, { kind: "text", text: "api deploy-prod" }, "display");
    return p.display;
  },
  "missing rings show unknown": () => {
    const p = present(view({ rings: [] }));
    same([p.ringA.scene, p.ringB.scene], ["unknown", "unknown"], "rings");
    return p;
  },
  "standby: setup, offline and waiting": () => {
    const out = [presentStandby("setup"), presentStandby("offline"), presentStandby("waiting")];
    same(
      out.map((p) => [p.ringA.scene, p.display.kind === "text" ? p.display.text : ""]),
      [
        ["offline", "SETUP"],
        ["offline", "OFFLINE"],
        ["unknown", "WAIT"],
      ],
      "standby",
    );
    return out;
  },
};
