// Text on a 7-segment display driven by a MAX7219 without decode: our own segment table.
// Segment bits in no-decode mode (MAX7219 datasheet, Table 6): D7 = DP, D6 = A, D5 = B, D4 = C,
// D3 = D, D2 = E, D1 = F, D0 = G. A is the top bar, then clockwise B, C, D, E, F, and G the middle.

export const SEG_DP = 0x80;
const A = 0x40,
  B = 0x20,
  C = 0x10,
  D = 0x08,
  E = 0x04,
  F = 0x02,
  G = 0x01;

/** Segments per character code 0x20-0x7E; letters a 7-segment display cannot draw well come out approximate or blank. */
export const SEGMENTS: Uint8Array = (() => {
  const t = new Uint8Array(0x7f);
  const set = (chars: string, segs: number): void => {
    for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = segs;
  };
  set("0", A | B | C | D | E | F);
  set("1", B | C);
  set("2", A | B | D | E | G);
  set("3", A | B | C | D | G);
  set("4", B | C | F | G);
  set("5Ss", A | C | D | F | G);
  set("6", A | C | D | E | F | G);
  set("7", A | B | C);
  set("8", A | B | C | D | E | F | G);
  set("9", A | B | C | D | F | G);
  set("Aa", A | B | C | E | F | G);
  set("Bb", C | D | E | F | G);
  set("C", A | D | E | F);
  set("c", D | E | G);
  set("Dd", B | C | D | E | G);
  set("Ee", A | D | E | F | G);
  set("Ff", A | E | F | G);
  set("Gg", A | C | D | E | F);
  set("H", B | C | E | F | G);
  set("h", C | E | F | G);
  set("Ii", E | F);
  set("Jj", B | C | D | E);
  set("Kk", B | E | F | G);
  set("Ll", D | E | F);
  set("Mm", A | C | E);
  set("Nn", C | E | G);
  set("O", A | B | C | D | E | F);
  set("o", C | D | E | G);
  set("Pp", A | B | E | F | G);
  set("Qq", A | B | C | F | G);
  set("Rr", E | G);
  set("Tt", D | E | F | G);
  set("U", B | C | D | E | F);
  set("u", C | D | E);
  set("Vv", B | C | D | E | F);
  set("Ww", B | D | F);
  set("Xx", B | C | E | F | G);
  set("Yy", B | C | D | F | G);
  set("Zz", A | B | D | E | G);
  set("-", G);
  set("_", D);
  set("=", D | G);
  set("'", F);
  set('"', B | F);
  set("[(", A | D | E | F);
  set("])", A | B | C | D);
  set("?", A | B | E | G);
  return t;
})();

/** Code-B font (datasheet Table 5): the register value for a character, or -1 if code B has none. */
export function codeB(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  switch (code) {
    case 0x2d:
      return 0x0a; // -
    case 0x45:
    case 0x65:
      return 0x0b; // E
    case 0x48:
    case 0x68:
      return 0x0c; // H
    case 0x4c:
    case 0x6c:
      return 0x0d; // L
    case 0x50:
    case 0x70:
      return 0x0e; // P
    case 0x20:
      return 0x0f; // blank
    default:
      return -1;
  }
}

/** Digits that `length` codes take: a '.' rides on the digit before it (its DP), unless it comes first or after another '.'. */
export function seg7CodesWidth(codes: Uint8Array, length: number): number {
  let w = 0;
  let prevTakesDot = false;
  for (let i = 0; i < length; i++) {
    const ch = codes[i]!;
    if (ch === 0x2e && prevTakesDot) {
      prevTakesDot = false;
      continue;
    }
    w++;
    prevTakesDot = ch !== 0x2e;
  }
  return w;
}

/**
 * Writes `length` character codes into `digits` (one byte per digit, index 0 the leftmost) starting
 * at digit x, only in [clipFrom, clipTo). In code-B mode the bytes are code-B values (D7 = DP), else
 * segment bits.
 */
export function drawSeg7Codes(digits: Uint8Array, codes: Uint8Array, length: number, x: number, codeBMode: boolean, clipFrom: number, clipTo: number): void {
  let pos = x - 1;
  let prevTakesDot = false;
  for (let i = 0; i < length; i++) {
    const ch = codes[i]!;
    if (ch === 0x2e && prevTakesDot) {
      if (pos >= clipFrom && pos < clipTo) digits[pos]! |= SEG_DP;
      prevTakesDot = false;
      continue;
    }
    pos++;
    prevTakesDot = ch !== 0x2e;
    if (pos < clipFrom || pos >= clipTo) continue;
    if (ch === 0x2e) digits[pos] = codeBMode ? 0x0f | SEG_DP : SEG_DP;
    else if (codeBMode) {
      const v = codeB(ch);
      digits[pos] = v < 0 ? 0x0f : v;
    } else digits[pos] = ch < SEGMENTS.length ? SEGMENTS[ch]! : 0;
  }
}
