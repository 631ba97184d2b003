// Moddable's ESP32-only "resetReason" module ($(MODDABLE)/build/devices/esp32/modules/resetReason):
// neither @moddable/typings nor the SDK's typings/ declare it. Checked against resetReason.js
// (SDK 8.2.3): it calls esp_reset_reason() and names the value from a fixed table, "Invalid" when
// the number is past the table (newer ESP-IDF reasons such as USB or JTAG resets).

declare module "resetReason" {
  export default function getResetReason(): { reason: number; string: string };
}
