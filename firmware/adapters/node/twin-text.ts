// The twin's words: the status lines under the drawing, cut to an 80-column terminal.

import type { GadgetView } from "@shipgate/protocol/messages";
import type { Feedback } from "../../core/app";

/** What the app last told the person, as one line (signed: whether this twin signs its events). */
export function describeFeedback(f: Feedback | undefined, signed: boolean): string {
  if (f === undefined) return "";
  switch (f.kind) {
    case "sent":
      return `sent ${f.event.button} ${f.event.gesture} (seq ${f.event.seq})`;
    case "queued":
      return `queued ${f.event.button} ${f.event.gesture} (seq ${f.event.seq}) until online`;
    case "acked":
      return `ack seq ${f.ack.seq}: ${f.ack.ok ? "ok" : "refused"}${f.ack.message ? " " + f.ack.message : ""}${f.ack.message === "BAD SIGNATURE" ? signatureHint(signed) : ""}`;
    case "error":
      return `error: ${f.message}`;
    case "hint":
      return f.message;
  }
}

/** Lines are cut to an 80-column terminal. */
export function fit(line: string): string {
  return line.length > 79 ? line.slice(0, 78) + "…" : line;
}

/** What waits, in plain words (the matrix only scrolls it), and whether this gadget may decide. */
export function waitingLine(view: GadgetView | null): string {
  if (view === null) return "no view from the bridge yet";
  const mode = view.mode === "default" ? "" : `${view.mode} mode  `;
  if (view.head === null) return `${mode}nothing waiting`;
  const more = view.queue > 1 ? ` (+${view.queue - 1} more)` : "";
  return `${mode}waiting: ${view.head.pipeline}/${view.head.step} ${view.head.summary}${more}${view.can_decide ? "" : "  (not yours to decide)"}`;
}

/** What to do about a refused signature: the bridge holds a secret for this gadget id. */
function signatureHint(signed: boolean): string {
  return signed
    ? " (this secret is not the bridge's for this id: pass the file `shipgate user add` wrote)"
    : " (the bridge holds a secret for this id: pass --secret-file <state>/gadget-secrets/<id>)";
}
