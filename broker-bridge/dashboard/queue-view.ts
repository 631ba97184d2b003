// The lock queue (pending locks in order, with why each waits) and the locks decided lately.

import { byId, h } from "./dom";
import type { LockState, PageState } from "./model";
import { since } from "./mode-view";
import { formatSpan } from "./time";

export interface QueueActions {
  approve(lock: LockState): void;
  reject(lock: LockState): void;
}

function title(lock: LockState): string {
  return `${lock.pipeline} / ${lock.step}`;
}

function pendingCard(lock: LockState, actions: QueueActions): HTMLElement {
  const needs = lock.approvals_needed !== undefined && lock.approvals_needed > 0 && (lock.approved_by?.length ?? 0) > 0 ? `approved by ${lock.approved_by?.join(", ")}` : null;
  const approve = h("button", { class: "approve", type: "button" }, "Approve");
  const reject = h("button", { class: "danger", type: "button" }, "Reject");
  approve.addEventListener("click", () => actions.approve(lock));
  reject.addEventListener("click", () => actions.reject(lock));
  return h(
    "li",
    { class: "lock", data: { id: lock.id } },
    h("div", { class: "position", title: "position in the queue" }, String(lock.position ?? "?")),
    h(
      "div",
      { class: "lock-body" },
      h("div", { class: "lock-title" }, title(lock)),
      lock.summary ? h("div", { class: "summary" }, lock.summary) : null,
      h(
        "div",
        { class: "lock-meta" },
        lock.reason ? h("span", { class: "wait-reason" }, lock.reason) : null,
        needs ? h("span", null, needs) : null,
        lock.expires_at ? h("span", { class: "muted" }, "expires ", since(lock.expires_at)) : null,
      ),
    ),
    h("div", { class: "lock-side" }, h("div", { class: "waiting" }, "asked ", since(lock.requested_at)), h("div", { class: "actions admin-only" }, approve, reject)),
  );
}

function decidedRow(lock: LockState): HTMLElement {
  return h(
    "li",
    { class: "decided", data: { id: lock.id } },
    h("span", { class: `pill ${lock.state}` }, lock.state),
    h("span", { class: "lock-title" }, title(lock)),
    lock.summary ? h("span", { class: "summary" }, lock.summary) : null,
    h("span", { class: "muted" }, lock.decided_by ? `by ${lock.decided_by} ` : "", since(lock.decided_at), lock.time_locked_ms !== null ? ` · locked ${formatSpan(lock.time_locked_ms)}` : ""),
    ownReason(lock) !== null ? h("span", { class: "reason" }, ownReason(lock)) : null,
  );
}

/** A rejection's reason, unless it only repeats the state and the decider shown beside it. */
function ownReason(lock: LockState): string | null {
  if (!lock.reason || lock.state === "approved") return null;
  return lock.reason === `${lock.state} by ${lock.decided_by}` ? null : lock.reason;
}

export function renderQueue(state: PageState, actions: QueueActions): void {
  const pending = [...state.locks].sort((a, b) => (a.position ?? 1e9) - (b.position ?? 1e9));
  byId("queue-count").textContent = pending.length > 0 ? String(pending.length) : "";
  byId("queue").replaceChildren(...(pending.length > 0 ? pending.map((l) => pendingCard(l, actions)) : [h("li", { class: "empty" }, "Nothing waiting.")]));
  byId("recent").replaceChildren(...(state.recent.length > 0 ? state.recent.map(decidedRow) : [h("li", { class: "empty" }, "No decisions yet.")]));
}
