// The dashboard page: connects the live feed, renders each state, ticks the ages every second,
// animates the rings, and wires the admin forms to the security service's routes.

import { parseDuration } from "../src/duration";
import { AdminApi, type SessionInfo } from "./admin-api";
import { AuditView } from "./audit-view";
import { renderBuilds } from "./builds-view";
import { byId } from "./dom";
import { GadgetsView } from "./gadgets-view";
import { connectLive } from "./live";
import { type LockState, type PageState, readPageState } from "./model";
import { renderMode } from "./mode-view";
import { renderNodes } from "./nodes-view";
import { renderQueue } from "./queue-view";
import { ServerClock, relative } from "./time";

const clock = new ServerClock();
const gadgets = new GadgetsView();
const audit = new AuditView();
let state: PageState | null = null;

function now(): number {
  return clock.now(Date.now());
}

function toast(message: string, kind: "ok" | "error" = "ok"): void {
  const el = byId("toast");
  el.textContent = message;
  el.dataset.kind = kind;
  el.hidden = false;
  window.clearTimeout(Number(el.dataset.timer ?? 0));
  el.dataset.timer = String(window.setTimeout(() => (el.hidden = true), kind === "error" ? 8000 : 3000));
}

/** Keeps every "5m ago" / "in 2h" on the page current. */
function tick(): void {
  const t = now();
  for (const el of document.querySelectorAll<HTMLElement>("[data-at]")) {
    el.textContent = (el.dataset.prefix ?? "") + relative(el.dataset.at, t);
  }
}

const admin = new AdminApi((session: SessionInfo | null) => {
  document.body.classList.toggle("is-admin", session?.role === "admin");
  byId("login-form").hidden = session !== null;
  byId("who").hidden = session === null;
  byId("who-name").textContent = session ? `${session.username} (${session.role})` : "";
});

async function run(what: () => Promise<unknown>, done: string): Promise<void> {
  try {
    await what();
    toast(done);
  } catch (err) {
    toast((err as Error).message, "error");
  }
}

let rejecting: LockState | null = null;

const actions = {
  approve: (lock: LockState) => void run(() => admin.decide("approve", lock.id), `approved ${lock.pipeline} / ${lock.step}`),
  reject: (lock: LockState) => {
    rejecting = lock;
    byId("reject-what").textContent = `${lock.pipeline} / ${lock.step}`;
    const dialog = byId<HTMLDialogElement>("reject-dialog");
    (dialog.querySelector("input[name=reason]") as HTMLInputElement).value = "";
    dialog.showModal();
  },
};

function render(): void {
  if (state === null) return;
  const t = now();
  renderMode(state, t);
  renderQueue(state, actions);
  gadgets.render(state);
  renderNodes(state);
  renderBuilds("ci", state.ci, "No CI pipelines configured (section ci of the bridge's config).");
  renderBuilds("argocd", state.argocd, "Argo CD is not configured (section argocd of the bridge's config).");
  document.title = `${state.locks.length > 0 ? `(${state.locks.length}) ` : ""}${state.title} · shipgate`;
  tick();
}

/** "2h" or an ISO time (a datetime-local value is local time) to ISO-8601 UTC; null when empty. */
function untilFrom(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  const ms = parseDuration(trimmed);
  if (ms !== undefined) return new Date(now() + ms).toISOString();
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) throw new Error(`until: "${trimmed}" is neither a duration (2h, 30m) nor a date and time`);
  return new Date(at).toISOString();
}

function wireForms(): void {
  byId<HTMLFormElement>("login-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    void run(async () => {
      await admin.login(String(data.get("username") ?? ""), String(data.get("password") ?? ""));
      form.reset();
    }, "logged in");
  });
  byId("logout").addEventListener("click", () => void run(() => admin.logout(), "logged out"));
  byId<HTMLFormElement>("mode-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const mode = String(data.get("mode") ?? "default");
    void run(async () => {
      const until = mode === "default" ? null : untilFrom(String(data.get("until") ?? ""));
      await admin.setMode(mode, until, String(data.get("reason") ?? "").trim() || null);
      form.reset();
    }, `mode set to ${mode}`);
  });
  const dialog = byId<HTMLDialogElement>("reject-dialog");
  dialog.addEventListener("close", () => {
    const lock = rejecting;
    rejecting = null;
    if (dialog.returnValue !== "reject" || lock === null) return;
    const reason = (dialog.querySelector("input[name=reason]") as HTMLInputElement).value.trim();
    void run(() => admin.decide("reject", lock.id, reason || undefined), `rejected ${lock.pipeline} / ${lock.step}`);
  });
}

/** The virtual gadget's module is loaded on first use (a separate bundle with MQTT.js). */
type VirtualGadgetModule = typeof import("./virtual-gadget");
let virtualGadget: { stop(): void } | null = null;

function wireVirtualGadget(): void {
  const form = byId<HTMLFormElement>("vg-form");
  const root = byId("vg");
  const stop = byId("vg-stop");
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const id = String(data.get("id") ?? "").trim();
    const secret = String(data.get("secret") ?? "");
    void run(async () => {
      // A non-literal specifier: esbuild leaves it to the browser instead of bundling it in.
      const url = "/dashboard/gadget.js";
      const mod = (await import(url)) as VirtualGadgetModule;
      virtualGadget?.stop();
      root.hidden = false;
      virtualGadget = mod.startVirtualGadget(root, {
        id,
        username: String(data.get("username") ?? "").trim() || id,
        password: String(data.get("password") ?? ""),
        ...(secret ? { secret } : {}),
        prefix: state?.prefix ?? "shipgate/v1/",
      });
      // The password and secret now live only in the running App; the form forgets them.
      form.reset();
      form.hidden = true;
      stop.hidden = false;
    }, `virtual gadget ${id} started`);
  });
  stop.addEventListener("click", () => {
    virtualGadget?.stop();
    virtualGadget = null;
    root.hidden = true;
    stop.hidden = true;
    form.hidden = false;
  });
}

function connection(up: boolean): void {
  const el = byId("connection");
  el.dataset.state = up ? "live" : "down";
  el.textContent = up ? "live" : "reconnecting…";
}

function animate(t: number): void {
  gadgets.frame(t);
  requestAnimationFrame(animate);
}

function wireAuditFilter(): void {
  const input = byId("audit-action") as HTMLInputElement;
  let timer: number | undefined;
  const apply = () => {
    audit.filter(input.value).then(
      (ok) => {
        input.setCustomValidity(ok ? "" : "letters, digits, '.', '_' or '-'");
        input.dataset.invalid = String(!ok);
        audit.render(now());
      },
      (err: Error) => toast(`audit log: ${err.message}`, "error"),
    );
  };
  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(apply, 250);
  });
  byId("audit-filter").addEventListener("submit", (e) => {
    e.preventDefault();
    window.clearTimeout(timer);
    apply();
  });
}

function main(): void {
  wireForms();
  wireVirtualGadget();
  connectLive("/api/events", {
    state: (raw) => {
      state = readPageState(raw);
      clock.observe(state.at, Date.now());
      render();
    },
    audit: (raw) => {
      audit.add(raw);
      audit.render(now());
    },
    connection,
  });
  audit.load().then(
    () => audit.render(now()),
    (err: Error) => toast(`audit log: ${err.message}`, "error"),
  );
  wireAuditFilter();
  void admin.refresh().catch(() => {});
  window.setInterval(tick, 1000);
  requestAnimationFrame(animate);
}

main();
