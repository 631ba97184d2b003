// The gadget's power budget: worst-case current on the 5 V rail, the supply that covers it, and
// the highest ring brightness cap that supply allows. Pure arithmetic with no I/O, so the
// firmware's tests can import ringCurrentMa to check their brightness handling against it.

import type { ChipFacts } from "./chips";
import { max7219Chips, type BoardConfig, type BoardFacts, type ButtonLedFacts, type PartsFacts } from "./pinout";

/** Current of one RGB LED package, mA. */
export interface PixelCurrent {
  /** One colour channel at 100 % PWM duty. */
  channelMa: number;
  /** The controller inside each package, with every channel off. */
  idleMa: number;
}

/**
 * WS2812B: each channel is a constant-current driver of about 20 mA (WS2812B datasheet, "Electrical
 * Characteristics"), so full white is 60 mA, the figure Adafruit's NeoPixel Uberguide ("Powering
 * NeoPixels") budgets per pixel. The datasheet gives no idle figure; about 1 mA per package is
 * what builders measure with all channels off.
 */
export const WS2812B: Readonly<PixelCurrent> = Object.freeze({ channelMa: 20, idleMa: 1 });

/**
 * Worst-case current of a WS2812 ring or strip whose every channel the firmware scales by
 * cap/255: all LEDs white at the cap. Current follows the PWM duty of each channel linearly.
 */
export function ringCurrentMa(leds: number, cap: number, pixel: PixelCurrent = WS2812B): number {
  const duty = Math.min(Math.max(cap, 0), 255) / 255;
  return leds * (pixel.idleMa + 3 * pixel.channelMa * duty);
}

// MAX7219 datasheet, Table 11 "RSET vs. Segment Current and LED Forward Voltage": RSET in kilohms
// for segment currents of 40, 30, 20 and 10 mA at LED forward voltages of 1.5 to 3.5 V.
const TABLE_11_VF = [1.5, 2.0, 2.5, 3.0, 3.5];
const TABLE_11: ReadonlyArray<{ segmentMa: number; rsetKohm: readonly number[] }> = [
  { segmentMa: 40, rsetKohm: [12.2, 11.8, 11.0, 10.6, 9.69] },
  { segmentMa: 30, rsetKohm: [17.8, 17.1, 15.8, 15.0, 14.0] },
  { segmentMa: 20, rsetKohm: [29.8, 28.0, 25.9, 24.5, 22.6] },
  { segmentMa: 10, rsetKohm: [66.7, 63.7, 59.3, 55.4, 51.2] },
];

function interpolate(xs: readonly number[], ys: readonly number[], x: number): number {
  const first = xs[0] ?? 0;
  const last = xs[xs.length - 1] ?? 0;
  const clamped = Math.min(Math.max(x, first), last);
  for (let i = 1; i < xs.length; i += 1) {
    const x0 = xs[i - 1] ?? 0;
    const x1 = xs[i] ?? 0;
    if (clamped <= x1) {
      const y0 = ys[i - 1] ?? 0;
      const y1 = ys[i] ?? 0;
      return y0 + ((y1 - y0) * (clamped - x0)) / (x1 - x0);
    }
  }
  return ys[ys.length - 1] ?? 0;
}

/**
 * Peak segment current the MAX7219 sets with RSET (datasheet: the segment current is 100 times
 * the current into ISET). Between the rows of Table 11 the current is interpolated in 1/RSET;
 * beyond the 40 mA row (the common FC-16 modules use 10 kΩ) it scales with 1/RSET, which
 * overestimates slightly against the 30-40 mA slope, the safe side for a budget.
 */
export function max7219SegmentMa(rsetOhm: number, ledVf: number): number {
  const rows = TABLE_11.map((row) => ({ segmentMa: row.segmentMa, kohm: interpolate(TABLE_11_VF, row.rsetKohm, ledVf) }));
  const kohm = rsetOhm / 1000;
  const top = rows[0];
  const bottom = rows[rows.length - 1];
  if (!top || !bottom) return 0;
  if (kohm <= top.kohm) return (top.segmentMa * top.kohm) / kohm;
  if (kohm >= bottom.kohm) return (bottom.segmentMa * bottom.kohm) / kohm;
  for (let i = 1; i < rows.length; i += 1) {
    const hi = rows[i - 1];
    const lo = rows[i];
    if (hi && lo && kohm <= lo.kohm) {
      const t = (1 / kohm - 1 / lo.kohm) / (1 / hi.kohm - 1 / lo.kohm);
      return lo.segmentMa + t * (hi.segmentMa - lo.segmentMa);
    }
  }
  return bottom.segmentMa;
}

/** MAX7219 datasheet, Table 7 "Intensity Register Format": intensity n gives a duty of (2n+1)/32. */
export function max7219DutyCycle(intensity: number): number {
  const n = Math.min(Math.max(Math.round(intensity), 0), 15);
  return (2 * n + 1) / 32;
}

export interface Max7219Spec {
  rsetOhm: number;
  ledVf: number;
  /** The chip's own operating current, mA. */
  chipMa: number;
}

/**
 * Current of a MAX7219 chain with every LED on. The chip lights one digit (one matrix row) at a
 * time, so at most 8 segments conduct at once: peak = 8 x segment current + chip current. The
 * datasheet's 330 mA "all segments on, ISEG = 40 mA" supply current is 8 x 40 mA + 10 mA, which is
 * where our 10 mA chip current comes from. Intensity is PWM within each digit slot, so the
 * average scales with the Table 7 duty cycle.
 */
export function max7219CurrentMa(chips: number, intensity: number, spec: Max7219Spec): { averageMa: number; peakMa: number } {
  const segmentsMa = 8 * max7219SegmentMa(spec.rsetOhm, spec.ledVf);
  return {
    averageMa: chips * (segmentsMa * max7219DutyCycle(intensity) + spec.chipMa),
    peakMa: chips * (segmentsMa + spec.chipMa),
  };
}

/** Current through a button LED driven straight from a GPIO through its series resistor, mA. */
export function buttonLedMa(logicVolts: number, led: ButtonLedFacts): number {
  return (Math.max(logicVolts - led.vf, 0) / led.resistorOhm) * 1000;
}

// SN74AHCT125 datasheet, Electrical Characteristics: ICC 20 uA per chip with inputs at the rails,
// plus delta-ICC up to 1.35 mA for each input held at a TTL high (3.3 V from the ESP32).
const AHCT125_ICC_MA = 0.02;
const AHCT125_DELTA_ICC_MA = 1.35;

/** The 5 V data lines: the rings' DIN and the MAX7219's CLK, DIN and LOAD. */
export function levelShiftedSignals(config: BoardConfig): number {
  return config.rings + 3;
}

/** 74AHCT125 packages needed for the 5 V data lines (four buffers each). */
export function levelShifterChips(config: BoardConfig): number {
  return Math.ceil(levelShiftedSignals(config) / 4);
}

export interface BudgetLine {
  part: string;
  /** How the figure is made, for the README. */
  basis: string;
  /** Worst case averaged over the LED PWM period, mA. */
  averageMa: number;
  /** Highest instantaneous current, mA. */
  peakMa: number;
}

export interface PowerBudget {
  lines: BudgetLine[];
  /** Sum of the worst-case averages, mA: every LED on at its cap while Wi-Fi transmits. */
  worstMa: number;
  /** Sum of the peaks, mA (bridged by the bulk capacitors, not by the supply). */
  peakMa: number;
  /** worstMa times the margin: what the supply must deliver, mA. */
  requiredMa: number;
  /** The chosen supply's rating, mA. */
  supplyMa: number;
  /** The smallest common 5 V supply rating that covers requiredMa, A. */
  recommendedSupplyA: number;
  /** The highest brightness_cap the chosen supply covers with the margin, or -1 if none does. */
  maxBrightnessCap: number;
  /** True when the configured brightness_cap keeps the whole gadget within the chosen supply. */
  fits: boolean;
}

/** Common ratings of 5 V plug-in supplies, A. */
export const SUPPLY_RATINGS_A: readonly number[] = [1, 2, 2.5, 3, 4, 5, 6, 8, 10];

function budgetLines(config: BoardConfig, board: BoardFacts, chip: ChipFacts, parts: PartsFacts): BudgetLine[] {
  const rings = config.rings * ringCurrentMa(config.ring_leds, config.brightness_cap, parts.ws2812);
  const chips = max7219Chips(config);
  const display = max7219CurrentMa(chips, config.matrix_intensity, parts.max7219);
  const segmentMa = max7219SegmentMa(parts.max7219.rsetOhm, parts.max7219.ledVf);
  let ledsMa = 0;
  let ledCount = 0;
  for (const [role, led] of Object.entries(parts.buttonLeds)) {
    if (led && config.pins[`led_${role}` as keyof BoardConfig["pins"]] !== undefined) {
      ledsMa += buttonLedMa(chip.logicVolts, led);
      ledCount += 1;
    }
  }
  const pullupsMa = config.buttons_pullup === "external" ? (4 * chip.logicVolts * 1000) / parts.pullupOhm : 0;
  const shifters = levelShifterChips(config);
  const shiftersMa = shifters * AHCT125_ICC_MA + levelShiftedSignals(config) * AHCT125_DELTA_ICC_MA;
  const esp = chip.wifiPeakMa + board.overheadMa;
  const what = config.display === "seg7" ? "8-digit 7-segment module" : `${chips} x 8x8 matrix`;
  return [
    {
      part: `WS2812 rings (${config.rings} x ${config.ring_leds} LEDs)`,
      basis: `all white at brightness_cap ${config.brightness_cap}/255: ${parts.ws2812.idleMa} mA + 3 x ${parts.ws2812.channelMa} mA x ${config.brightness_cap}/255 per LED`,
      averageMa: rings,
      peakMa: rings,
    },
    {
      part: `MAX7219 display (${what})`,
      basis: `${chips} chip(s), 8 segments x ${segmentMa.toFixed(1)} mA (RSET ${parts.max7219.rsetOhm / 1000} kΩ), intensity ${config.matrix_intensity} = duty ${2 * config.matrix_intensity + 1}/32, + ${parts.max7219.chipMa} mA per chip`,
      averageMa: display.averageMa,
      peakMa: display.peakMa,
    },
    {
      part: `${board.name.split(" (")[0]} with Wi-Fi`,
      basis: `${chip.name} Wi-Fi TX peak ${chip.wifiPeakMa} mA + board ${board.overheadMa} mA`,
      averageMa: esp,
      peakMa: esp,
    },
    {
      part: `Button LEDs (${ledCount}) and pull-ups`,
      basis: `(${chip.logicVolts} V - Vf) / series resistor per LED; ${config.buttons_pullup === "external" ? `4 x ${chip.logicVolts} V / ${parts.pullupOhm / 1000} kΩ when pressed` : "internal pull-ups"}`,
      averageMa: ledsMa + pullupsMa,
      peakMa: ledsMa + pullupsMa,
    },
    {
      part: `74AHCT125 level shifters (${shifters})`,
      basis: `${levelShiftedSignals(config)} inputs at 3.3 V x ${AHCT125_DELTA_ICC_MA} mA delta-ICC`,
      averageMa: shiftersMa,
      peakMa: shiftersMa,
    },
  ];
}

function sum(lines: readonly BudgetLine[], key: "averageMa" | "peakMa"): number {
  let total = 0;
  for (const line of lines) total += line[key];
  return total;
}

/** The budget for one build (board + config); numbers in mA unless named otherwise. */
export function powerBudget(config: BoardConfig, board: BoardFacts, chip: ChipFacts, parts: PartsFacts): PowerBudget {
  const lines = budgetLines(config, board, chip, parts);
  const worstMa = sum(lines, "averageMa");
  const requiredMa = worstMa * parts.margin;
  const supplyMa = parts.supply.amps * 1000;
  let recommendedSupplyA = -1;
  for (const amps of SUPPLY_RATINGS_A) {
    if (amps * 1000 >= requiredMa) {
      recommendedSupplyA = amps;
      break;
    }
  }
  let maxBrightnessCap = -1;
  for (let cap = 255; cap >= 0; cap -= 1) {
    const worst = sum(budgetLines({ ...config, brightness_cap: cap }, board, chip, parts), "averageMa");
    if (worst * parts.margin <= supplyMa) {
      maxBrightnessCap = cap;
      break;
    }
  }
  return {
    lines,
    worstMa,
    peakMa: sum(lines, "peakMa"),
    requiredMa,
    supplyMa,
    recommendedSupplyA,
    maxBrightnessCap,
    fits: requiredMa <= supplyMa,
  };
}
