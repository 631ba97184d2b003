// TextEncoder and TextDecoder as globals. The protocol code (protocol/src/codec.ts) uses them as
// globals, as Node and xsnap provide them; on the device they are the modules "text/encoder" and
// "text/decoder" ($(MODDABLE)/modules/data/text), which adapters/moddable/text-globals.ts installs on
// globalThis before any protocol module runs. Neither typings package declares the globals (the
// tsconfig has no DOM lib), so this file does, from the modules' own declarations.

import type TextDecoderModule from "text/decoder";
import type TextEncoderModule from "text/encoder";

declare global {
  var TextDecoder: typeof TextDecoderModule;
  var TextEncoder: typeof TextEncoderModule;
}
