// PF of each byte value (EFLAGS.PF, 0x4, when the byte has an even number of set bits; SDM vol. 1 §3.4.3.1):
// the interpreter's lazy flags, the JavaScript regions' `P`, and the WebAssembly regions' table in the host area.
export const PARITY = new Uint8Array(256);
for (let v = 0; v < 256; v++) {
  let p = 1;
  for (let b = v; b; b >>= 1) p ^= b & 1;
  PARITY[v] = p ? 0x4 : 0;
}
