// The rules a pinout must pass before anyone solders it. Each problem names the build variant,
// the board, the pin and the role, and says why, so a failing test reads like a review comment.

import { CHIPS, type ChipFacts } from "./chips";
import { BUTTON_ROLES, effectiveConfig, parseBoardConfig, type BoardConfig, type BoardFacts, type ButtonRole, type ManifestLike, type Pinout, type PinRole, type VariantFacts } from "./pinout";
import { buttonLedMa, powerBudget, type PowerBudget } from "./power";

export type Rule =
  | "config"
  | "board"
  | "unknown-gpio"
  | "not-on-header"
  | "flash"
  | "board-reserved"
  | "strapping"
  | "duplicate"
  | "input-only-output"
  | "input-only-pullup"
  | "spi-host"
  | "spi-iomux"
  | "button-led"
  | "power";

export interface Problem {
  variant: string;
  board: string;
  rule: Rule;
  role?: string;
  pin?: number;
  message: string;
}

/** Everything known about one build once its config is merged and checked. */
export interface Build {
  variant: VariantFacts;
  config: BoardConfig;
  board?: BoardFacts;
  chip?: ChipFacts;
  budget?: PowerBudget;
  problems: Problem[];
}

// A button LED below 2 mA is hard to see in daylight; above 12 mA it eats most of the 20 mA an
// ESP32 GPIO sources at its default drive strength (ESP32 datasheet, "DC Characteristics": IOH).
const LED_MIN_MA = 2;
const LED_MAX_MA = 12;
// The resistor needs some of the 3.3 V, or the current swings with every LED's Vf spread.
const LED_MIN_HEADROOM_V = 0.5;

function isButton(role: string): role is ButtonRole {
  return (BUTTON_ROLES as readonly string[]).includes(role);
}

function pinRules(config: BoardConfig, board: BoardFacts, chip: ChipFacts, report: (p: Omit<Problem, "variant" | "board">) => void): void {
  const onHeader = new Set<number>();
  for (const header of board.headers) for (const pin of header.pins) if (typeof pin === "number") onHeader.add(pin);
  const owner = new Map<number, PinRole>();
  for (const [role, pin] of Object.entries(config.pins) as Array<[PinRole, number]>) {
    const at = `GPIO${pin} (${role})`;
    const first = owner.get(pin);
    if (first !== undefined) {
      report({ rule: "duplicate", role, pin, message: `${at} is already used by ${first}: one pin, one job` });
    } else {
      owner.set(pin, role);
    }
    if (!chip.gpios.includes(pin)) {
      report({ rule: "unknown-gpio", role, pin, message: `${at}: the ${chip.name} has no GPIO${pin}` });
      continue;
    }
    if (chip.flash.includes(pin)) {
      report({ rule: "flash", role, pin, message: `${at} is wired to the module's SPI flash/PSRAM; using it crashes the chip` });
    }
    const reserved = board.reserved[pin];
    if (reserved !== undefined) report({ rule: "board-reserved", role, pin, message: `${at} is taken on this board: ${reserved}` });
    if (!onHeader.has(pin)) report({ rule: "not-on-header", role, pin, message: `${at} is not on the board's pin headers` });
    if (chip.strapping.includes(pin)) {
      report({
        rule: "strapping",
        role,
        pin,
        message: `${at} is a ${chip.name} strapping pin (${chip.strapping.join(", ")}): a pressed button or a load on it at reset can stop the board from booting`,
      });
    }
    if (chip.inputOnly.includes(pin)) {
      if (!isButton(role)) {
        report({ rule: "input-only-output", role, pin, message: `${at} is input-only on the ${chip.name} (no output driver), so it cannot drive ${role}` });
      } else if (config.buttons_pullup !== "external") {
        report({
          rule: "input-only-pullup",
          role,
          pin,
          message: `${at} has no internal pull-up on the ${chip.name}; set buttons_pullup to "external" and fit a resistor to 3V3`,
        });
      }
    }
  }
}

function spiRules(config: BoardConfig, chip: ChipFacts, report: (p: Omit<Problem, "variant" | "board">) => void): void {
  const host = chip.spiHosts[config.spi_port];
  if (!host) {
    const hosts = Object.entries(chip.spiHosts)
      .map(([port, h]) => `${port} = ${h.name}`)
      .join(", ");
    report({ rule: "spi-host", role: "spi_port", message: `spi_port ${config.spi_port} is not an SPI host the firmware may use on the ${chip.name} (${hosts}; 0 is SPI1, the flash bus)` });
    return;
  }
  if (config.spi_hz <= chip.gpioMatrixMaxHz) return;
  const native = host.ioMux;
  for (const [role, want] of [
    ["spi_clock", native?.clock],
    ["spi_mosi", native?.mosi],
  ] as const) {
    const pin = config.pins[role];
    if (pin !== undefined && pin !== want) {
      report({
        rule: "spi-iomux",
        role,
        pin,
        message: `GPIO${pin} (${role}) goes through the GPIO matrix, which carries at most ${chip.gpioMatrixMaxHz / 1e6} MHz; at spi_hz ${config.spi_hz} ${host.name} needs ${want === undefined ? "IO_MUX pins it does not have" : `its IO_MUX pin GPIO${want}`}`,
      });
    }
  }
}

function ledRules(pinout: Pinout, config: BoardConfig, chip: ChipFacts, report: (p: Omit<Problem, "variant" | "board">) => void): void {
  for (const button of BUTTON_ROLES) {
    const role = `led_${button}` as const;
    const pin = config.pins[role];
    if (pin === undefined) continue;
    const led = pinout.parts.buttonLeds[button];
    if (!led) {
      report({ rule: "button-led", role, pin, message: `GPIO${pin} (${role}) drives an LED that shipgate.parts.button_leds.${button} does not describe` });
      continue;
    }
    const headroom = chip.logicVolts - led.vf;
    const ma = buttonLedMa(chip.logicVolts, led);
    if (headroom < LED_MIN_HEADROOM_V) {
      report({
        rule: "button-led",
        role,
        pin,
        message: `GPIO${pin} (${role}): a ${led.colour} LED with Vf ${led.vf} V leaves ${headroom.toFixed(2)} V at ${chip.logicVolts} V logic; choose a red, orange, yellow or yellow-green LED (Vf about 2 V)`,
      });
    } else if (ma < LED_MIN_MA || ma > LED_MAX_MA) {
      report({
        rule: "button-led",
        role,
        pin,
        message: `GPIO${pin} (${role}): ${led.resistorOhm} Ω gives ${ma.toFixed(1)} mA; pick a resistor for ${LED_MIN_MA}-${LED_MAX_MA} mA`,
      });
    }
  }
}

/** Merges, checks and budgets one variant; `manifests` are the manifests mcconfig merges, in order. */
export function checkVariant(pinout: Pinout, variant: VariantFacts, manifests: readonly ManifestLike[]): Build {
  const raw = effectiveConfig(manifests, variant.platform, variant.set);
  const { config, issues } = parseBoardConfig(raw);
  const problems: Problem[] = [];
  const boardFacts = pinout.boards[config.board];
  const boardName = boardFacts?.name ?? (config.board || "(no board)");
  const report = (p: Omit<Problem, "variant" | "board">): void => {
    problems.push({ variant: variant.name, board: boardName, ...p, message: `${variant.name} on ${boardName}: ${p.message}` });
  };
  for (const issue of issues) report({ rule: "config", role: issue.key, message: issue.message });
  if (!boardFacts) {
    report({ rule: "board", role: "board", message: `config.board ${JSON.stringify(config.board)} is not in shipgate.boards (${Object.keys(pinout.boards).join(", ")})` });
    return { variant, config, problems };
  }
  if (boardFacts.platform !== variant.platform) {
    report({ rule: "board", role: "board", message: `the board builds with -p ${boardFacts.platform}, but the variant uses -p ${variant.platform}` });
  }
  const chip = CHIPS[boardFacts.chip];
  pinRules(config, boardFacts, chip, report);
  spiRules(config, chip, report);
  ledRules(pinout, config, chip, report);
  const budget = powerBudget(config, boardFacts, chip, pinout.parts);
  if (!budget.fits) {
    report({
      rule: "power",
      role: "brightness_cap",
      message: `worst case ${Math.round(budget.worstMa)} mA x margin ${pinout.parts.margin} = ${Math.round(budget.requiredMa)} mA exceeds the ${pinout.parts.supply.volts} V ${pinout.parts.supply.amps} A supply; brightness_cap ${config.brightness_cap} must be at most ${budget.maxBrightnessCap}`,
    });
  }
  return { variant, config, board: boardFacts, chip, budget, problems };
}

/**
 * Checks every variant in the file, and that every platform in it has a variant (a platform
 * without one would ship unchecked). `root` is the repository's manifest.json when it exists,
 * because mcconfig merges its config over ours.
 */
export function checkPinout(pinout: Pinout, root?: ManifestLike): Build[] {
  const manifests = root ? [pinout.manifest, root] : [pinout.manifest];
  const builds = pinout.variants.map((variant) => checkVariant(pinout, variant, manifests));
  for (const platform of Object.keys(pinout.manifest.platforms ?? {})) {
    if (!pinout.variants.some((v) => v.platform === platform)) {
      const first = builds[0];
      const problem: Problem = { variant: "(none)", board: "(none)", rule: "config", message: `platform ${platform} has no entry in shipgate.variants, so nothing checks it` };
      if (first) first.problems.push(problem);
      else builds.push({ variant: { name: "(none)", platform, set: {} }, config: parseBoardConfig({}).config, problems: [problem] });
    }
  }
  return builds;
}

export function allProblems(builds: readonly Build[]): Problem[] {
  const out: Problem[] = [];
  for (const build of builds) out.push(...build.problems);
  return out;
}
