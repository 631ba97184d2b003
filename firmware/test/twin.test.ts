// The terminal twin: key parsing (plain bytes and the kitty keyboard protocol), key repeats to held
// buttons, the drawing, and runTwin end to end on a stand-in TTY against a real broker.

import { once } from "node:events";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createServer, type Socket } from "node:net";
import { PassThrough } from "node:stream";
import { Aedes } from "aedes";
import test from "ava";
import { connectAsync } from "mqtt";
import { Topics } from "@shipgate/protocol/topics";
import { ManualClock } from "../adapters/node/clock";
import { KeyHolds, parseKeys } from "../adapters/node/keys";
import { renderFrame, ringLines, visibleLength } from "../adapters/node/terminal";
import { runTwin } from "../adapters/node/twin";

test("plain bytes are presses; Ctrl-C, Enter and escape sequences are named or skipped", (t) => {
  t.deepEqual(parseKeys("aR\x03\r\x1b[A\x1b[?1u"), [
    { key: "a", type: "press", exact: false },
    { key: "r", type: "press", exact: false },
    { key: "ctrl-c", type: "press", exact: false },
    { key: "enter", type: "press", exact: false },
  ]);
});

test("kitty keyboard protocol: press, repeat and release are exact", (t) => {
  // CSI 115 u (press, no fields), CSI 115;1:2 u (repeat), CSI 115;1:3 u (release), CSI 99;5 u (Ctrl-c).
  t.deepEqual(parseKeys("\x1b[115u\x1b[115;1:2u\x1b[115;1:3u\x1b[99;5u"), [
    { key: "s", type: "press", exact: true },
    { key: "s", type: "repeat", exact: true },
    { key: "s", type: "release", exact: true },
    { key: "ctrl-c", type: "press", exact: true },
  ]);
});

test("a tap holds the key until the first-repeat window closes", (t) => {
  const clock = new ManualClock();
  const changes: string[] = [];
  const holds = new KeyHolds(clock, (k, down) => changes.push(`${clock.now()} ${k} ${down ? "down" : "up"}`));
  holds.feed({ key: "a", type: "press", exact: false });
  clock.advance(599);
  t.true(holds.isDown("a"));
  clock.advance(1);
  t.deepEqual(changes, ["0 a down", "600 a up"]);
});

test("repeats keep a key held; it lets go 120 ms after the last one", (t) => {
  const clock = new ManualClock();
  const changes: string[] = [];
  const holds = new KeyHolds(clock, (k, down) => changes.push(`${clock.now()} ${k} ${down ? "down" : "up"}`));
  holds.feed({ key: "s", type: "press", exact: false });
  clock.advance(500); // the system's initial repeat delay
  for (let i = 0; i < 50; i++) {
    holds.feed({ key: "s", type: "press", exact: false });
    clock.advance(33);
  }
  t.true(holds.isDown("s"));
  t.deepEqual(changes, ["0 s down"]);
  clock.advance(200);
  t.deepEqual(changes, ["0 s down", `${500 + 50 * 33 - 33 + 120} s up`]);
});

test("with release events the key follows them, however long the pause between repeats", (t) => {
  const clock = new ManualClock();
  const changes: string[] = [];
  const holds = new KeyHolds(clock, (k, down) => changes.push(`${clock.now()} ${k} ${down ? "down" : "up"}`));
  holds.feed({ key: "s", type: "press", exact: true });
  clock.advance(5000);
  t.true(holds.isDown("s"));
  holds.feed({ key: "s", type: "release", exact: true });
  t.deepEqual(changes, ["0 s down", "5000 s up"]);
});

test("a ring is drawn as a circle of as many ● glyphs as LEDs, in truecolor", (t) => {
  const colors = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? 0x400000 : 0));
  const lines = ringLines(colors, 64, true);
  const glyphs = lines.join("").match(/●/g) ?? [];
  t.is(glyphs.length, 12);
  t.true(lines.join("").includes("\x1b[38;2;255;0;0m●"), "the capped red is shown at full brightness");
  const plain = ringLines(colors, 64, false).join("\n");
  t.is((plain.match(/●/g) ?? []).length, 6);
  t.is((plain.match(/○/g) ?? []).length, 6);
  const frame = renderFrame({ title: "t", ringA: colors, ringB: colors, brightnessCap: 64, matrix: { width: 16, height: 8, lit: (x, y) => x === y }, status: ["s"] }, false);
  t.true(frame.includes("# . . ."), "matrix dots");
  t.is(visibleLength("\x1b[38;2;1;2;3m●\x1b[0m"), 1);
});

/** A stand-in terminal: streams that say they are TTYs and record raw mode. */
function fakeTty() {
  const input = new PassThrough() as PassThrough & { isTTY: boolean; setRawMode(on: boolean): void; raw: boolean };
  input.isTTY = true;
  input.raw = false;
  input.setRawMode = (on: boolean) => {
    input.raw = on;
  };
  const output = new PassThrough() as PassThrough & { isTTY: boolean };
  output.isTTY = true;
  let written = "";
  output.on("data", (chunk: Buffer) => {
    written += chunk.toString("utf8");
  });
  return { input, output, text: () => written };
}

test("runTwin: keys press buttons (a held sync through key repeats), q publishes offline and ends", async (t) => {
  const aedes = await Aedes.createBroker();
  const server = createServer(aedes.handle);
  const sockets = new Set<Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  const topics = new Topics();
  const watcher = await connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
  const seen: { topic: string; body: Record<string, unknown> }[] = [];
  watcher.on("message", (topic, payload) => seen.push({ topic, body: JSON.parse(payload.toString("utf8")) as Record<string, unknown> }));
  await watcher.subscribeAsync([topics.gadgetStatus("tty-1"), topics.gadgetEvent("tty-1")], { qos: 1 });
  t.teardown(async () => {
    await watcher.endAsync(true);
    for (const s of sockets) s.destroy();
    server.close();
    aedes.close();
  });

  const tty = fakeTty();
  const settingsFile = path.join(mkdtempSync(path.join(tmpdir(), "twin-")), "tty-1.json");
  const running = runTwin({
    id: "tty-1",
    broker: `mqtt://127.0.0.1:${port}`,
    input: tty.input as unknown as NodeJS.ReadStream,
    output: tty.output as unknown as NodeJS.WriteStream,
    settingsFile,
    fps: 30,
  });
  const until = async (what: string, cond: () => boolean, ms = 5000) => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error("timed out waiting for " + what);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  await until("online", () => seen.some((m) => m.body.state === "online"));
  t.true(tty.input.raw, "raw mode on");
  await until("a drawing", () => tty.text().includes("shipgate gadget tty-1") && tty.text().includes("●"));

  // Hold s like a terminal does: one byte, a pause (initial delay), then repeats every 40 ms.
  tty.input.write("s");
  await new Promise((r) => setTimeout(r, 400));
  for (let i = 0; i < 50; i++) {
    tty.input.write("s");
    await new Promise((r) => setTimeout(r, 40));
  }
  await until("sync hold event", () => seen.some((m) => m.topic.endsWith("/event") && m.body.button === "sync"), 3000);
  t.like(seen.find((m) => m.topic.endsWith("/event"))!.body, { button: "sync", gesture: "hold", seq: 1 });

  tty.input.write("l");
  await until("release event", () => seen.some((m) => m.topic.endsWith("/event") && m.body.button === "release"));

  tty.input.write("q");
  t.is(await running, 0);
  await until("offline", () => seen.some((m) => m.body.state === "offline"));
  t.false(tty.input.raw, "raw mode restored");
  t.deepEqual(
    JSON.parse(readFileSync(settingsFile, "utf8")),
    { boot: 1, boot_fails: 0 },
    "the boot counter is kept in the settings file, and the boot that reached the broker cleared the failed-boot count",
  );
  t.true(tty.text().endsWith("\x1b[<u\x1b[?25h\x1b[?1049l"), "kitty flags popped, cursor shown, main screen back");
});
