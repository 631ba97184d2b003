// Cases of known relative cost for the measureInXs test.
import { sha256 } from "@shipgate/protocol";

const block64 = new Uint8Array(64 - 9);
const block640 = new Uint8Array(640 - 9);

export default {
  hash64: () => sha256(block64).length,
  hash640: () => sha256(block640).length,
  nothing: () => 0,
};
