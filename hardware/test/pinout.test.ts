// The pinout validator: the committed pinout.json passes for every board and display variant, and
// each rule catches the mistake it exists for, naming the variant, board, role and pin.
import test from "ava";
import { CHIPS } from "../chips";
import { effectiveConfig, matchPlatform, parseBoardConfig, parsePinout, PinoutError } from "../pinout";
import { checkPinout } from "../validate";
import { readRootManifest } from "../generate";
import { platformConfig, problemsAfter, realPinoutJson } from "./fixtures";

const ESP32 = "esp32" as const;
const S3 = "esp32/esp32s3" as const;

test("the committed pinout passes every rule on every variant, merged with the root manifest", (t) => {
  const builds = checkPinout(parsePinout(realPinoutJson()), readRootManifest());
  t.deepEqual(
    builds.flatMap((b) => b.problems.map((p) => p.message)),
    [],
  );
  // Both boards and both displays are covered, so "passes" means something for each.
  const covered = builds.map((b) => `${b.board?.chip}/${b.config.display}`).sort();
  t.deepEqual(covered, ["esp32/matrix", "esp32/seg7", "esp32s3/matrix", "esp32s3/seg7"]);
});

test("a pin used twice is reported with both roles", (t) => {
  const problems = problemsAfter((j) => {
    platformConfig(j, ESP32).pins.reject = 32;
  });
  const dup = problems.filter((p) => p.rule === "duplicate");
  t.true(dup.length >= 1);
  t.is(dup[0]?.pin, 32);
  t.regex(dup[0]?.message ?? "", /GPIO32 \(reject\) is already used by approve/);
  t.regex(dup[0]?.message ?? "", /ESP32-DevKitC/);
});

for (const pin of [0, 2, 5, 12, 15]) {
  test(`ESP32 strapping pin ${pin} is refused`, (t) => {
    const problems = problemsAfter((j) => {
      platformConfig(j, ESP32).pins.led_sync = pin;
    });
    t.true(problems.some((p) => p.rule === "strapping" && p.pin === pin && p.role === "led_sync" && p.variant.startsWith("esp32-")));
  });
}

for (const pin of [0, 3, 45, 46]) {
  test(`ESP32-S3 strapping pin ${pin} is refused`, (t) => {
    const problems = problemsAfter((j) => {
      platformConfig(j, S3).pins.led_sync = pin;
    });
    t.true(problems.some((p) => p.rule === "strapping" && p.pin === pin && p.variant.startsWith("esp32s3-")));
  });
}

test("the strapping rules follow the chip: GPIO2 is fine on the ESP32-S3 and GPIO3 on the ESP32 is UART, not strapping", (t) => {
  t.deepEqual(
    problemsAfter((j) => {
      platformConfig(j, S3).pins.led_sync = 2;
    }),
    [],
  );
  const esp32 = problemsAfter((j) => {
    platformConfig(j, ESP32).pins.led_sync = 3;
  });
  t.deepEqual(
    esp32.map((p) => p.rule),
    ["board-reserved", "board-reserved"],
  );
});

test("an input-only pin cannot drive an output", (t) => {
  const problems = problemsAfter((j) => {
    platformConfig(j, ESP32).pins.ring_a = 36;
    platformConfig(j, ESP32).pins.spi_clock = 39;
  });
  const roles = problems.filter((p) => p.rule === "input-only-output").map((p) => `${p.role}:${p.pin}`);
  t.true(roles.includes("ring_a:36"));
  t.true(roles.includes("spi_clock:39"));
});

test("an input-only pin as a button needs external pull-ups", (t) => {
  const problems = problemsAfter((j) => {
    platformConfig(j, ESP32).buttons_pullup = "internal";
  });
  const flagged = problems.filter((p) => p.rule === "input-only-pullup").map((p) => `${p.role}:${p.pin}`);
  // approve and reject sit on 32 and 33, which do have pull-ups; release and sync on 34 and 35 do not.
  t.deepEqual([...new Set(flagged)].sort(), ["release:34", "sync:35"]);
  t.true(problems.every((p) => p.rule === "input-only-pullup"));
});

test("the ESP32-S3 has no input-only pins, so internal pull-ups are fine there", (t) => {
  t.deepEqual(CHIPS.esp32s3.inputOnly, []);
  t.deepEqual(
    problemsAfter((j) => {
      platformConfig(j, S3).buttons_pullup = "internal";
    }),
    [],
  );
});

test("flash and PSRAM pins are refused: ESP32 6-11, ESP32-S3 26-32 and 33-37 on octal modules", (t) => {
  const esp32 = problemsAfter((j) => {
    platformConfig(j, ESP32).pins.ring_b = 6;
  });
  t.true(esp32.some((p) => p.rule === "flash" && p.pin === 6));
  const s3 = problemsAfter((j) => {
    platformConfig(j, S3).pins.ring_b = 30;
  });
  t.true(s3.some((p) => p.rule === "flash" && p.pin === 30));
  t.true(s3.some((p) => p.rule === "not-on-header" && p.pin === 30));
  const octal = problemsAfter((j) => {
    platformConfig(j, S3).pins.led_release = 35;
  });
  t.true(octal.some((p) => p.rule === "board-reserved" && p.pin === 35 && /octal/.test(p.message)));
});

test("pins the board itself uses are refused with the reason", (t) => {
  const esp32 = problemsAfter((j) => {
    platformConfig(j, ESP32).pins.led_approve = 16;
  });
  t.true(esp32.some((p) => p.rule === "board-reserved" && p.pin === 16 && /WROVER/.test(p.message)));
  const s3 = problemsAfter((j) => {
    platformConfig(j, S3).pins.led_approve = 20;
  });
  t.true(s3.some((p) => p.rule === "board-reserved" && p.pin === 20 && /USB/.test(p.message)));
});

test("a GPIO the chip does not have is refused", (t) => {
  const esp32 = problemsAfter((j) => {
    platformConfig(j, ESP32).pins.approve = 24;
  });
  t.true(esp32.some((p) => p.rule === "unknown-gpio" && p.pin === 24));
  const s3 = problemsAfter((j) => {
    platformConfig(j, S3).pins.approve = 22;
  });
  t.true(s3.some((p) => p.rule === "unknown-gpio" && p.pin === 22));
});

test("SPI1 (port 0) is the flash bus and a port the chip lacks is refused", (t) => {
  const flashBus = problemsAfter((j) => {
    platformConfig(j, ESP32).spi_port = 0;
  });
  t.true(flashBus.some((p) => p.rule === "spi-host" && /SPI1, the flash bus/.test(p.message)));
  const missing = problemsAfter((j) => {
    platformConfig(j, S3).spi_port = 3;
  });
  t.true(missing.some((p) => p.rule === "spi-host" && /ESP32-S3/.test(p.message)));
});

test("above the GPIO matrix limit, SPI clock and data must be on the host IO_MUX pins", (t) => {
  const problems = problemsAfter((j) => {
    const c = platformConfig(j, ESP32);
    c.spi_port = 1; // HSPI: IO_MUX clock 14, data 13; our pins 18 and 23 are VSPI's
    c.spi_hz = 50_000_000;
  });
  const iomux = problems.filter((p) => p.rule === "spi-iomux").map((p) => `${p.role}:${p.pin}`);
  t.deepEqual([...new Set(iomux)].sort(), ["spi_clock:18", "spi_mosi:23"]);
  // 50 MHz is also beyond the MAX7219, which the config check says separately.
  t.true(problems.some((p) => p.rule === "config" && p.role === "spi_hz"));
  // The same speed on VSPI's own IO_MUX pins passes the SPI rule (only the MAX7219 limit remains).
  const native = problemsAfter((j) => {
    platformConfig(j, ESP32).spi_hz = 50_000_000;
  });
  t.false(native.some((p) => p.rule === "spi-iomux"));
});

test("a button LED that 3.3 V cannot light, or a resistor that starves it, is refused", (t) => {
  const blue = problemsAfter((j) => {
    j.shipgate.parts.button_leds.sync = { colour: "blue", vf: 3.0, resistor_ohm: 100 };
  });
  t.true(blue.some((p) => p.rule === "button-led" && p.role === "led_sync" && /leaves 0.30 V/.test(p.message)));
  const dim = problemsAfter((j) => {
    j.shipgate.parts.button_leds.reject.resistor_ohm = 1000;
  });
  t.true(dim.some((p) => p.rule === "button-led" && p.role === "led_reject" && /1.3 mA/.test(p.message)));
});

test("a brightness cap beyond the supply is refused with the highest cap that fits, also from a mcconfig string", (t) => {
  const problems = problemsAfter((j) => {
    j.shipgate.variants.push({ name: "esp32-bright", platform: "esp32", set: { brightness_cap: "255" } });
  });
  const power = problems.filter((p) => p.rule === "power");
  t.is(power.length, 1);
  t.is(power[0]?.variant, "esp32-bright");
  t.regex(power[0]?.message ?? "", /brightness_cap 255 must be at most 129/);
});

test("config values are type- and range-checked", (t) => {
  const problems = problemsAfter((j) => {
    const c = platformConfig(j, ESP32);
    c.matrix_intensity = "16";
    c.display = "oled";
    c.pins.buzzer = 14;
    delete c.pins.approve;
  });
  const keys = problems.filter((p) => p.rule === "config").map((p) => p.role);
  for (const key of ["matrix_intensity", "display", "pins.buzzer", "pins.approve"]) t.true(keys.includes(key), key);
});

test("a variant built for one platform with another platform's board is refused", (t) => {
  const problems = problemsAfter((j) => {
    platformConfig(j, ESP32).board = "esp32s3-devkitc-1";
  });
  t.true(problems.some((p) => p.rule === "board" && /-p esp32\/esp32s3/.test(p.message)));
});

test("a platform without a variant would go unchecked, so it is reported", (t) => {
  const problems = problemsAfter((j) => {
    j.shipgate.variants = j.shipgate.variants.filter((v: { platform: string }) => v.platform !== S3);
  });
  t.true(problems.some((p) => /platform esp32\/esp32s3 has no entry/.test(p.message)));
});

test("the root manifest overrides pinout.json the way mcconfig merges it", (t) => {
  // Included manifests merge first, so the root's config wins, and its esp32 entry reaches only esp32.
  const problems = problemsAfter(() => {}, { platforms: { esp32: { config: { pins: { led_sync: 2 } } } } });
  t.true(problems.some((p) => p.rule === "strapping" && p.pin === 2 && p.variant === "esp32-matrix"));
  t.false(problems.some((p) => p.variant.startsWith("esp32s3")));
  const bright = problemsAfter(() => {}, { config: { brightness_cap: 200 } });
  t.is(bright.filter((p) => p.rule === "power").length, 4);
});

test("matchPlatform picks the entry mcconfig picks", (t) => {
  const platforms = { esp32: "plain", "esp32/esp32s3": "s3", "mac/*": "any mac", "*/sim": "any sim", "...": "fallback" };
  t.is(matchPlatform(platforms, "esp32"), "plain");
  t.is(matchPlatform(platforms, "esp32/esp32s3"), "s3");
  t.is(matchPlatform(platforms, "esp32/nodemcu"), "plain");
  t.is(matchPlatform(platforms, "mac/cli"), "any mac");
  t.is(matchPlatform(platforms, "lin/sim"), "any sim");
  t.is(matchPlatform(platforms, "pico"), "fallback");
});

test("effectiveConfig deep-merges objects and lets command-line strings win", (t) => {
  const merged = effectiveConfig([{ platforms: { esp32: { config: { pins: { approve: 32, reject: 33 }, ring_leds: 24 } } } }, { config: { pins: { reject: 27 } } }], "esp32", { ring_leds: "16" });
  t.deepEqual(merged, { pins: { approve: 32, reject: 27 }, ring_leds: "16" });
  t.is(parseBoardConfig(merged).config.ring_leds, 16);
});

test("malformed board metadata fails with the key that is wrong", (t) => {
  const json = realPinoutJson();
  json.shipgate.boards["esp32-devkitc"].chip = "esp8266";
  const error = t.throws(() => parsePinout(json), { instanceOf: PinoutError });
  t.is(error?.key, "shipgate.boards.esp32-devkitc.chip");
});
