// Facts about the silicon, not about our wiring: which GPIOs exist, which ones decide how the chip
// boots, which can only read, which the flash owns, and where each SPI host has its native pins.
// The board files (pinout.json → shipgate.boards) add what a particular board does with the pins.

/** The chip families we build for; the key is the `chip` field of a board in pinout.json. */
export type ChipId = "esp32" | "esp32s3";

/** One SPI host the firmware may use, named by the number Moddable's `device.io.SPI` takes as `port`. */
export interface SpiHost {
  /** ESP-IDF's name for the peripheral. */
  readonly name: string;
  /**
   * The IO_MUX (native) pins of this host, or null when it has none. Through IO_MUX the clock may
   * run at 80 MHz; through the GPIO matrix at most 40 MHz (Espressif, ESP-IDF "SPI Master Driver",
   * section "GPIO Matrix and IO_MUX").
   */
  readonly ioMux: { readonly clock: number; readonly mosi: number; readonly miso: number; readonly select: number } | null;
}

export interface ChipFacts {
  readonly id: ChipId;
  readonly name: string;
  /** Every GPIO number the chip has (gaps are pads that do not exist). */
  readonly gpios: readonly number[];
  /**
   * Pins sampled at reset to choose boot mode, flash voltage or log output. A button or a load on
   * one of them can stop the board from booting, so the validator refuses them for every role.
   */
  readonly strapping: readonly number[];
  /** Pins with no output driver and no internal pull-up or pull-down. */
  readonly inputOnly: readonly number[];
  /** Pins wired to the in-package or on-module SPI flash/PSRAM; using them crashes the chip. */
  readonly flash: readonly number[];
  /** SPI hosts by Moddable `port` number; hosts missing here (SPI1, the flash bus) are refused. */
  readonly spiHosts: Readonly<Record<number, SpiHost>>;
  /** Highest SPI clock through the GPIO matrix (see SpiHost.ioMux). */
  readonly gpioMatrixMaxHz: number;
  /** Logic high level of the outputs, in volts. */
  readonly logicVolts: number;
  /**
   * Peak current of the module at 3.3 V while Wi-Fi transmits, in mA. A linear regulator passes the
   * same current from the 5 V side, so this is also the 5 V draw.
   */
  readonly wifiPeakMa: number;
  /** Where the numbers above come from. */
  readonly sources: readonly string[];
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let n = from; n <= to; n += 1) out.push(n);
  return out;
}

// Moddable's io/spi/esp32 implementation (modules/io/spi/esp/spi.c, SDK 8.2.3) passes `port` to
// ESP-IDF unchanged as spi_host_device_t: SPI1_HOST = 0, SPI2_HOST = 1, SPI3_HOST = 2. SPI1 shares
// its lines with the flash, so only 1 and 2 are offered.
const ESP32: ChipFacts = {
  id: "esp32",
  name: "ESP32",
  // ESP32 datasheet, section 2.2 "Pin Description": there is no GPIO 24 or 28-31, and GPIO 20 is
  // not brought out on the WROOM/WROVER modules our boards carry.
  gpios: [...range(0, 19), 21, 22, 23, 25, 26, 27, ...range(32, 39)],
  // ESP32 datasheet, section 2.4 "Strapping Pins": GPIO0 (boot mode), GPIO2 (boot mode, must be
  // low or floating for download), MTDI/GPIO12 (flash voltage: high selects 1.8 V and the flash
  // of a WROOM module then fails), MTDO/GPIO15 (boot log, SDIO timing), GPIO5 (SDIO timing).
  strapping: [0, 2, 5, 12, 15],
  // ESP32 datasheet, section 2.2 and the Technical Reference Manual, section "IO_MUX and GPIO
  // Matrix": GPIO 34-39 are input only and have no pull-up or pull-down resistors.
  inputOnly: range(34, 39),
  // ESP32-WROOM-32E datasheet, "Pin Definitions": GPIO 6-11 connect to the integrated SPI flash.
  flash: range(6, 11),
  spiHosts: {
    // ESP32 datasheet, Table "IO_MUX": HSPICLK GPIO14, HSPID GPIO13, HSPIQ GPIO12, HSPICS0 GPIO15;
    // VSPICLK GPIO18, VSPID GPIO23, VSPIQ GPIO19, VSPICS0 GPIO5.
    1: { name: "SPI2 (HSPI)", ioMux: { clock: 14, mosi: 13, miso: 12, select: 15 } },
    2: { name: "SPI3 (VSPI)", ioMux: { clock: 18, mosi: 23, miso: 19, select: 5 } },
  },
  gpioMatrixMaxHz: 40_000_000,
  logicVolts: 3.3,
  // ESP32 datasheet v4, Table "Current Consumption Depending on RF Modes": 802.11b 1 Mbps TX,
  // 368 mA peak (older revisions list 240 mA at 19.5 dBm; we budget the larger figure).
  wifiPeakMa: 368,
  sources: [
    "ESP32 Series Datasheet (Espressif), sections 2.2 Pin Description, 2.4 Strapping Pins, RF current table",
    "ESP32-WROOM-32E Datasheet (Espressif), Pin Definitions",
    "ESP-IDF SPI Master Driver, GPIO Matrix and IO_MUX",
  ],
};

const ESP32S3: ChipFacts = {
  id: "esp32s3",
  name: "ESP32-S3",
  // ESP32-S3 datasheet, section 2 "Pins": GPIO 0-21 and 26-48 (22-25 do not exist).
  gpios: [...range(0, 21), ...range(26, 48)],
  // ESP32-S3 datasheet, section "Strapping Pins": GPIO0 (boot mode), GPIO3 (JTAG source),
  // GPIO45 (VDD_SPI voltage: high selects 1.8 V), GPIO46 (boot mode / ROM log).
  strapping: [0, 3, 45, 46],
  // Every ESP32-S3 GPIO has an output driver and internal pull resistors.
  inputOnly: [],
  // ESP32-S3 datasheet, "Pin Overview": GPIO 26-32 are SPICS1, SPIHD, SPIWP, SPICS0, SPICLK, SPIQ,
  // SPID, wired to the flash and PSRAM on modules such as ESP32-S3-WROOM-1.
  flash: range(26, 32),
  spiHosts: {
    // ESP32-S3 datasheet, "IO MUX Pin Functions": FSPICLK GPIO12, FSPID GPIO11, FSPIQ GPIO13,
    // FSPICS0 GPIO10. SPI3 has no IO_MUX pins and always goes through the GPIO matrix.
    1: { name: "SPI2 (FSPI)", ioMux: { clock: 12, mosi: 11, miso: 13, select: 10 } },
    2: { name: "SPI3", ioMux: null },
  },
  gpioMatrixMaxHz: 40_000_000,
  logicVolts: 3.3,
  // ESP32-S3 datasheet, Table "Current Consumption Depending on RF Modes": 802.11b TX peak about
  // 340 mA; not re-checked against the PDF, so the budget adds its margin on top.
  wifiPeakMa: 340,
  sources: ["ESP32-S3 Series Datasheet (Espressif), Pin Overview, Strapping Pins, IO MUX Pin Functions", "ESP-IDF SPI Master Driver, GPIO Matrix and IO_MUX"],
};

export const CHIPS: Readonly<Record<ChipId, ChipFacts>> = Object.freeze({ esp32: ESP32, esp32s3: ESP32S3 });

export function isChipId(value: unknown): value is ChipId {
  return value === "esp32" || value === "esp32s3";
}
