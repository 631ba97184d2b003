// Configuration parsing: portable cases, run on Node and in XS (app-config.test.ts).
import { loadConfig, problemLine } from "../core/config";

function same(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

/** A Settings reader over a plain object. */
function settings(values: { [k: string]: string | number | boolean }) {
  return { get: (key: string) => values[key] };
}

export default {
  "mcconfig strings become numbers; pins come from the manifest": () => {
    const { config, problems, ready } = loadConfig({
      broker: "mqtt://192.168.1.10:1883",
      gadget: "desk-1",
      heartbeat_s: "15",
      spi_hz: "2000000",
      ring_leds: "16",
      display: "seg7",
      matrix_modules: 4,
      matrix_intensity: "8",
      brightness_cap: "40",
      spi_port: 2,
      pins: { approve: 4, reject: "5", release: 18, sync: 19, ring_a: 25, ring_b: 26, spi_clock: 14, spi_mosi: 13, spi_select: 15 },
    });
    same(problems, [], "problems");
    same(ready, true, "ready");
    same([config.heartbeatS, config.spiHz, config.ringLeds, config.display, config.matrixIntensity, config.brightnessCap, config.spiPort], [15, 2000000, 16, "seg7", 8, 40, 2], "numbers");
    same(config.pins, { approve: 4, reject: 5, release: 18, sync: 19, ring_a: 25, ring_b: 26, spi_clock: 14, spi_mosi: 13, spi_select: 15 }, "pins");
    return config;
  },
  "defaults fill what is absent": () => {
    const { config } = loadConfig({ broker: "mqtts://bridge.example", gadget: "g" });
    same([config.prefix, config.heartbeatS, config.display, config.matrixModules, config.secret], ["shipgate/v1/", 30, "matrix", 4, undefined], "defaults");
    return config;
  },
  "missing broker and gadget: not ready, one line each": () => {
    const { problems, ready } = loadConfig({});
    same(ready, false, "ready");
    const lines = problems.map(problemLine);
    same(lines.length, 2, "lines");
    if (lines[0]!.indexOf("config: broker (config) is missing") !== 0) throw new Error("broker line: " + lines[0]);
    if (lines[1]!.indexOf("config: gadget (config) is missing") !== 0) throw new Error("gadget line: " + lines[1]);
    return lines;
  },
  "settings override config at run time": () => {
    const { config, ready } = loadConfig(
      { broker: "mqtt://old:1883", gadget: "old", prefix: "shipgate/v1/" },
      settings({ broker: "mqtt://new:1884", gadget: "desk-7", mqtt_password: "pw", secret: "s3", heartbeat_s: 60 }),
    );
    same([ready, config.broker, config.gadget, config.mqttPassword, config.secret, config.heartbeatS], [true, "mqtt://new:1884", "desk-7", "pw", "s3", 60], "values");
    return config.broker;
  },
  "a bad setting falls back to the config value, with one line": () => {
    const { config, problems } = loadConfig({ broker: "mqtt://good:1883", gadget: "g" }, settings({ broker: "http://nope" }));
    same(config.broker, "mqtt://good:1883", "broker");
    same(
      problems.map((p) => [p.key, p.source]),
      [["broker", "settings"]],
      "problems",
    );
    return problems.map(problemLine);
  },
  "bad values name the key and the reason, then use the default": () => {
    const { config, problems } = loadConfig({
      broker: "mqtt://h:99999",
      gadget: "a/b",
      heartbeat_s: "often",
      display: "oled",
      matrix_intensity: 16,
      prefix: "x",
      pins: { approve: "GPIO4", buzzer: 3 },
    });
    same(
      problems.map((p) => p.key),
      ["pins.approve", "pins.buzzer", "display", "matrix_intensity", "prefix", "heartbeat_s", "broker", "gadget"],
      "keys",
    );
    same([config.display, config.matrixIntensity, config.prefix, config.heartbeatS, config.pins], ["matrix", 4, "shipgate/v1/", 30, {}], "fallbacks");
    return problems.map(problemLine);
  },
  "secrets are never echoed in a problem line": () => {
    const { problems } = loadConfig({ broker: "mqtt://h", gadget: "g", secret: "hunter2\u0001", mqtt_password: 12345 });
    const text = problems.map(problemLine).join("\n");
    if (text.indexOf("hunter2") >= 0 || text.indexOf("12345") >= 0) throw new Error("a secret leaked: " + text);
    same(
      problems.map((p) => p.key),
      ["mqtt_password", "secret"],
      "keys",
    );
    return problems.map(problemLine);
  },
  "a config that is not an object is one problem, not a crash": () => {
    const { problems, ready } = loadConfig("broker=mqtt://x");
    same([ready, problems[0]!.key], [false, ""], "problem");
    return problems.map(problemLine);
  },
  "settings that throw are a problem, not a crash": () => {
    const { config, problems } = loadConfig(
      { broker: "mqtt://h", gadget: "g" },
      {
        get: () => {
          throw new Error("nvs");
        },
      },
    );
    same(config.broker, "mqtt://h", "broker");
    return problems.length;
  },
};
