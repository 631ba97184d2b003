// Installs TextEncoder and TextDecoder on globalThis. The protocol code uses them as globals (as on
// Node and in xsnap); Moddable ships them as the modules "text/encoder" and "text/decoder"
// ($(MODDABLE)/modules/data/text) and defines no globals. main.ts imports this module first, and
// ES module evaluation runs a module's imports in order (ECMA-262, InnerModuleEvaluation), so the
// globals exist before codec.ts builds its decoder at load time.

import TextDecoder from "text/decoder";
import TextEncoder from "text/encoder";

if (globalThis.TextDecoder === undefined) globalThis.TextDecoder = TextDecoder;
if (globalThis.TextEncoder === undefined) globalThis.TextEncoder = TextEncoder;
