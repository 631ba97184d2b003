// The one simulated board of a simulator run, made on first use from mc/config (the same keys
// as the device: pins, rings, ring_leds, display, matrix_modules, brightness_cap) and drawn on
// the simulator's screen.

import config from "mc/config";
import { loadConfig } from "../../core/config";
import { ModdableClock } from "../moddable/clock";
import { SimBoard } from "./board";
import { Panel } from "./panel";
import { onPaneMessage, PocoSurface } from "./screen";

let board: SimBoard | undefined;

export function hostBoard(): SimBoard {
  if (board !== undefined) return board;
  // Problems in the config are logged once by main.ts, which loads the same config.
  const c = loadConfig(config).config;
  const rings = config.rings === 1 || config.rings === "1" ? 1 : 2;
  const panel = new Panel(new PocoSurface(), {
    rings,
    ringLeds: c.ringLeds,
    display: c.display,
    matrixModules: c.matrixModules,
    brightnessCap: c.brightnessCap,
  });
  const made = new SimBoard(panel, c.pins, c.display === "seg7" ? 1 : c.matrixModules, new ModdableClock());
  onPaneMessage((message) => made.onMessage(message));
  board = made;
  return made;
}
