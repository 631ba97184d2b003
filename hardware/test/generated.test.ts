// The drawings and the README's generated sections are what generate.ts makes from pinout.json,
// so they cannot drift from the pins; and they change when the pins change.
import test from "ava";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readRootManifest } from "../generate";
import { renderOutputs } from "../outputs";
import { fillReadme } from "../readme";
import { bufferChannels, connections } from "../wiring";
import { HARDWARE_DIR, platformConfig, realPinoutJson } from "./fixtures";

const readme = readFileSync(join(HARDWARE_DIR, "README.md"), "utf8");
const outputs = renderOutputs(realPinoutJson(), readme, readRootManifest());

test("the committed drawings and README equal what generate.ts makes (run npx tsx hardware/generate.ts)", (t) => {
  t.deepEqual(Object.keys(outputs.files).sort(), ["README.md", "wiring-esp32s3-devkitc-1.svg", "wiring.svg"]);
  for (const [name, content] of Object.entries(outputs.files)) {
    t.is(readFileSync(join(HARDWARE_DIR, name), "utf8"), content, `hardware/${name} is out of date`);
  }
});

test("every wired GPIO appears in the drawing and in the README table of its board", (t) => {
  for (const build of outputs.builds.filter((b) => b.variant.set.display === undefined)) {
    const { board } = build;
    if (!board) return t.fail(build.variant.name);
    const svg = outputs.files[board.id === "esp32-devkitc" ? "wiring.svg" : `wiring-${board.id}.svg`] ?? "";
    for (const c of connections(build.config, board, outputs.pinout.parts)) {
      t.true(svg.includes(`>IO${c.gpio} ${c.signal}<`), `${board.id}: IO${c.gpio} ${c.signal} in the drawing`);
      t.true(readme.includes(`| ${c.signal} | ${c.gpio} | ${c.header} |`), `${board.id}: ${c.signal} row in the README`);
    }
  }
});

test("moving a pin moves it in the drawing and the tables", (t) => {
  const json = realPinoutJson();
  platformConfig(json, "esp32").pins.ring_a = 14;
  const moved = renderOutputs(json, readme);
  const svg = moved.files["wiring.svg"] ?? "";
  t.true(svg.includes(">IO14 Ring A data<"));
  t.false(svg.includes(">IO25 Ring A data<"));
  t.not(moved.files["README.md"], outputs.files["README.md"]);
  t.true((moved.files["README.md"] ?? "").includes("| Ring A data | 14 | J2-12 |"));
});

test("the five 5 V data lines take U1 and one buffer of U2; one ring needs a single chip", (t) => {
  const build = outputs.builds[0];
  if (!build) return t.fail();
  const used = bufferChannels(build.config)
    .filter((c) => c.role !== undefined)
    .map((c) => `${c.chip}.${c.channel}:${c.role}`);
  t.deepEqual(used, ["U1.1:ring_a", "U1.2:ring_b", "U1.3:spi_clock", "U1.4:spi_mosi", "U2.1:spi_select"]);
  const one = { ...build.config, rings: 1, pins: { ...build.config.pins } };
  delete one.pins.ring_b;
  t.deepEqual([...new Set(bufferChannels(one).map((c) => c.chip))], ["U1"]);
});

test("a README without the markers of a section is an error, not a silent skip", (t) => {
  t.throws(() => fillReadme("# no markers\n", { parts: "x" }), { message: /generated section "parts"/ });
  t.is(fillReadme("a\n<!-- BEGIN generated:x -->\nold\n<!-- END generated:x -->\nb", { x: "new" }), "a\n<!-- BEGIN generated:x -->\nnew\n<!-- END generated:x -->\nb");
});
