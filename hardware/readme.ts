// The README's generated sections: parts with quantities, config keys, wiring tables, the power
// budget and the build commands of every variant. Each lives between
// `<!-- BEGIN generated:NAME -->` and `<!-- END generated:NAME -->`; the prose around them is
// written by hand.

import { CHIPS } from "./chips";
import { BUTTON_ROLES, max7219Chips, type Pinout } from "./pinout";
import { levelShifterChips, type PowerBudget } from "./power";
import type { Build } from "./validate";
import { bufferChannels, connections, headerPosition, powerWires } from "./wiring";

function ma(value: number): string {
  return String(Math.round(value));
}

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Builds that passed every check, the first one of each board: what the kit is drawn from. */
export function primaryBuilds(builds: readonly Build[]): Array<Required<Pick<Build, "board" | "chip" | "budget">> & Build> {
  const seen = new Set<string>();
  const out: Array<Required<Pick<Build, "board" | "chip" | "budget">> & Build> = [];
  for (const build of builds) {
    const { board, chip, budget } = build;
    if (!board || !chip || !budget || seen.has(board.id)) continue;
    seen.add(board.id);
    out.push({ ...build, board, chip, budget });
  }
  return out;
}

function partsSection(pinout: Pinout, builds: readonly Build[]): string {
  const primary = primaryBuilds(builds);
  const first = primary[0];
  if (!first) return "(no valid build)";
  const c = first.config;
  const p = pinout.parts;
  const boards = primary.map((b) => b.board.name).join(", or ");
  const seg7 = builds.find((b) => b.config.display === "seg7");
  const shifters = levelShifterChips(c);
  const worst = Math.max(...builds.map((b) => b.budget?.requiredMa ?? 0));
  const colours = BUTTON_ROLES.map((r) => `${r} ${p.buttonLeds[r]?.colour ?? "?"}`).join(", ");
  const resistors = [...new Set(BUTTON_ROLES.map((r) => p.buttonLeds[r]?.resistorOhm ?? 0))].join(" / ");
  const rows: string[][] = [
    ["1", boards, "The controller: runs the Moddable firmware, Wi-Fi and MQTT. Pick one; the pinout has a column for each."],
    [String(c.rings), `WS2812B ring, ${c.ring_leds} LEDs (about 66 mm across)`, "The status light seen across the room: colour and motion show the lock queue and the mode."],
    [
      String(max7219Chips(c)),
      `MAX7219 8x8 dot-matrix module, chainable (sold as one ${c.matrix_modules}-in-1 "FC-16" board)`,
      `Scrolls the pipeline, step and who decided.${seg7 ? ' Variant "seg7": one 8-digit 7-segment MAX7219 module instead, same five wires.' : ""}`,
    ],
    [
      "4",
      `Momentary push button (normally open) with a built-in LED that has no resistor inside; LED colours ${colours}`,
      "Approve, reject, release and sync; the LED shows when a button does something. A blue or white (InGaN) LED needs about 3 V and stays dark at 3.3 V logic: keep to Vf near 2 V.",
    ],
    ["4", `${resistors} Ω resistor`, "Series resistor of each button LED: (3.3 V - Vf) / R keeps it near 5 mA, far below the GPIO limit."],
    ...(c.buttons_pullup === "external"
      ? [
          [
            "4",
            `${p.pullupOhm / 1000} kΩ resistor`,
            "Button pull-ups to 3V3: the ESP32 GPIOs 34-39 have none inside, and a stiffer pull-up than the internal 45 kΩ rides out noise on the wires to the panel.",
          ],
        ]
      : []),
    [
      String(shifters),
      "74AHCT125 quad buffer (DIP-14) and a socket",
      `Level shifter for the ${c.rings + 3} data lines that need 5 V logic (a WS2812 and a MAX7219 at 5 V both want a high of at least 3.5 V). TTL inputs take 3.3 V; outputs swing to 5 V.`,
    ],
    [String(shifters), "100 nF ceramic capacitor", "Decoupling across each 74AHCT125 (pin 14 to pin 7)."],
    [
      String(c.rings),
      `${p.ringResistorOhm} Ω resistor`,
      'In the data line at each ring\'s DIN: damps ringing on the wire and protects the first LED (Adafruit NeoPixel Uberguide, "Best Practices": 300-500 Ω).',
    ],
    [String(c.rings), `${p.ringCapacitorUf} µF electrolytic capacitor, 10 V or more`, "Across 5V and GND at each ring: absorbs the inrush when the LEDs switch on (same Uberguide section)."],
    [
      "1",
      `${p.supply.volts} V ${p.supply.amps} A power supply with a 5.5/2.1 mm barrel plug (centre positive), and a panel-mount jack`,
      `Sized by the power budget below: the worst build needs ${ma(worst)} mA with the ${p.margin}x margin.`,
    ],
    [
      "1",
      "1N5819 Schottky diode (1 A)",
      "Feeds the board's 5V pin from the rail, and stops a USB cable from powering the LED rail while flashing (Espressif: power a DevKitC from one source at a time).",
    ],
    [
      "1",
      "Perfboard about 7 x 9 cm, 2 female pin-header strips for the board, 3-pin JST-SM pigtails (one per ring), 20 AWG wire for 5 V/GND, 24 AWG for signals",
      "Carrier and wiring; the board plugs in, so it can be swapped or reflashed.",
    ],
  ];
  return table(["Qty", "Part", "Why"], rows);
}

function configSection(builds: readonly Build[]): string {
  const primary = primaryBuilds(builds);
  const keys: Array<[string, (b: Build) => string]> = [
    ["board", (b) => b.config.board],
    ["spi_port", (b) => `${b.config.spi_port} = ${b.chip ? (CHIPS[b.chip.id].spiHosts[b.config.spi_port]?.name ?? "?") : "?"}`],
    ["spi_hz", (b) => String(b.config.spi_hz)],
    ["ring_leds", (b) => String(b.config.ring_leds)],
    ["rings", (b) => String(b.config.rings)],
    ["display", (b) => b.config.display],
    ["matrix_modules", (b) => String(b.config.matrix_modules)],
    ["matrix_intensity", (b) => String(b.config.matrix_intensity)],
    ["brightness_cap", (b) => String(b.config.brightness_cap)],
    ["buttons_pullup", (b) => b.config.buttons_pullup],
  ];
  const rows = keys.map(([key, get]) => [`\`${key}\``, ...primary.map(get)]);
  for (const [role] of Object.entries(primary[0]?.config.pins ?? {})) {
    rows.push([`\`pins.${role}\``, ...primary.map((b) => String(b.config.pins[role as keyof typeof b.config.pins] ?? "-"))]);
  }
  return table(["config key", ...primary.map((b) => `\`-p ${b.board.platform}\``)], rows);
}

function wiringSection(pinout: Pinout, builds: readonly Build[]): string {
  const parts: string[] = [];
  for (const build of primaryBuilds(builds)) {
    parts.push(`#### ${build.board.name} (\`-p ${build.board.platform}\`)`);
    parts.push("");
    parts.push(
      table(
        ["Signal", "GPIO", "Header pin", "Through", "To"],
        connections(build.config, build.board, pinout.parts).map((c) => [c.signal, String(c.gpio), c.header, c.through, c.to]),
      ),
    );
    parts.push("");
    parts.push("Power and ground:");
    parts.push("");
    for (const wire of powerWires(build.config, build.board, pinout.parts)) parts.push(`- ${wire.from}: ${wire.to}`);
    parts.push(`- Button contacts and button LED cathodes: GND rail (board GND is ${headerPosition(build.board, "GND")})`);
    parts.push("");
  }
  return parts.join("\n").trimEnd();
}

function shifterSection(builds: readonly Build[]): string {
  const primary = primaryBuilds(builds);
  const first = primary[0];
  if (!first) return "(no valid build)";
  const rows: string[][] = [];
  for (const channel of bufferChannels(first.config)) {
    const gpio = (b: Build): string => (channel.role === undefined ? "GND" : `IO${b.config.pins[channel.role] ?? "?"}`);
    rows.push([channel.chip, `${channel.a} (${channel.channel}A)`, channel.role ?? "unused", ...primary.map(gpio)]);
    rows.push([
      channel.chip,
      `${channel.y} (${channel.channel}Y)`,
      channel.role === undefined ? "not connected" : `to ${channel.role.startsWith("ring") ? "the ring (via its resistor)" : "the MAX7219"}`,
      ...primary.map(() => ""),
    ]);
  }
  return table(["Chip", "Pin", "Carries", ...primary.map((b) => b.board.name.split(" (")[0] ?? b.board.name)], rows);
}

function budgetRow(name: string, b: PowerBudget): string[] {
  const pick = (prefix: string): string => ma(b.lines.find((l) => l.part.startsWith(prefix))?.averageMa ?? 0);
  return [
    name,
    pick("WS2812"),
    pick("MAX7219"),
    ma(b.lines[2]?.averageMa ?? 0),
    ma((b.lines[3]?.averageMa ?? 0) + (b.lines[4]?.averageMa ?? 0)),
    `**${ma(b.worstMa)}**`,
    ma(b.peakMa),
    ma(b.requiredMa),
    `${b.recommendedSupplyA} A`,
    String(b.maxBrightnessCap),
  ];
}

function powerSection(pinout: Pinout, builds: readonly Build[]): string {
  const p = pinout.parts;
  const rows = builds.filter((b) => b.budget).map((b) => budgetRow(`${b.variant.name} (cap ${b.config.brightness_cap})`, b.budget as PowerBudget));
  const summary = table(
    ["Variant", "Rings", "Display", "Board + Wi-Fi", "Buttons, shifters", "Worst case", "Peak", `x ${p.margin}`, "Smallest supply", `Max brightness_cap on ${p.supply.amps} A`],
    rows,
  );
  const first = primaryBuilds(builds)[0];
  const detail = first
    ? table(
        ["Part", "How", "Worst case (mA)", "Peak (mA)"],
        first.budget.lines.map((l) => [l.part, l.basis, ma(l.averageMa), ma(l.peakMa)]),
      )
    : "";
  return [
    `All currents in mA on the ${p.supply.volts} V rail. The kit's supply: ${p.supply.volts} V ${p.supply.amps} A. Every variant's worst case, times ${p.margin}, fits inside it at its configured brightness_cap (the test fails otherwise).`,
    "",
    summary,
    "",
    `How the \`${first?.variant.name ?? ""}\` row is made:`,
    "",
    detail,
  ].join("\n");
}

function variantsSection(builds: readonly Build[]): string {
  const rows = builds.map((b) => {
    const set = Object.entries(b.variant.set)
      .map(([k, v]) => ` ${k}=${v}`)
      .join("");
    return [
      b.variant.name,
      b.board?.name ?? b.config.board,
      b.config.display === "seg7" ? "8-digit 7-segment" : `${b.config.matrix_modules} x 8x8 matrix`,
      `\`mcconfig -d -m -p ${b.variant.platform}${set} ...\``,
    ];
  });
  return table(["Variant", "Board", "Display", "Build with"], rows);
}

export function readmeSections(pinout: Pinout, builds: readonly Build[]): Record<string, string> {
  return {
    parts: partsSection(pinout, builds),
    config: configSection(builds),
    wiring: wiringSection(pinout, builds),
    shifters: shifterSection(builds),
    power: powerSection(pinout, builds),
    variants: variantsSection(builds),
  };
}

/** Replaces each generated section's body; throws when a marker pair is missing. */
export function fillReadme(markdown: string, sections: Record<string, string>): string {
  let out = markdown;
  for (const [name, body] of Object.entries(sections)) {
    const begin = `<!-- BEGIN generated:${name} -->`;
    const end = `<!-- END generated:${name} -->`;
    const from = out.indexOf(begin);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`hardware/README.md: markers for generated section "${name}" are missing or out of order`);
    out = `${out.slice(0, from + begin.length)}\n${body}\n${out.slice(to)}`;
  }
  return out;
}
