// A stable, distinct MAC for a simulated gadget (see network.ts).

/**
 * 12 hex digits from a name: FNV-1a (32 bits) of it behind "02", the locally administered unicast
 * prefix (IEEE 802, the U/L bit), and one more byte of the hash.
 */
export function macFromName(name: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i) & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const hex = (h >>> 0).toString(16).padStart(8, "0");
  return "02" + hex + hex.slice(0, 2);
}
