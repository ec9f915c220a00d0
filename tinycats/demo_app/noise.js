// Seeded start noise: the numbers `tinycats.solvers.make_noise` (and torch.randn on a CPU generator) draw.
const f32 = Math.fround;

/** MT19937 seeded like `np.random.RandomState(seed)` (init_genrand); `.next()` gives one uint32 word. */
export class MT19937 {
  constructor(seed) {
    this.mt = new Uint32Array(624); this.i = 624;
    this.mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const p = this.mt[i - 1] ^ (this.mt[i - 1] >>> 30);
      this.mt[i] = (Math.imul(1812433253, p) + i) >>> 0;
    }
  }
  twist() {
    const mt = this.mt;
    for (let k = 0; k < 624; k++) {
      const y = (mt[k] & 0x80000000) | (mt[(k + 1) % 624] & 0x7fffffff);
      mt[k] = mt[(k + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.i = 0;
  }
  next() {
    if (this.i >= 624) this.twist();
    let y = this.mt[this.i++];
    y ^= y >>> 11; y ^= (y << 7) & 0x9d2c5680; y ^= (y << 15) & 0xefc60000; y ^= y >>> 18;
    return y >>> 0;
  }
}

/** `k` uniforms in [0,1): `(randint(0, 2**32) & 0xFFFFFF) * 2**-24` in float32, as `make_noise`'s `u`. */
function uniforms(rs, k) {
  const u = new Float32Array(k);
  for (let i = 0; i < k; i++) u[i] = (rs.next() & 0xffffff) * 2 ** -24;
  return u;
}

/** Box-Muller on one group of 16 uniforms `d` (from `off`) into `out` at `at`: first 8 r*cos, last 8 r*sin. */
function boxMuller(d, off, out, at) {
  const twoPi = f32(2 * Math.PI);
  for (let j = 0; j < 8; j++) {
    const r = f32(Math.sqrt(f32(-2 * f32(Math.log(f32(1 - d[off + j]))))));
    const th = f32(twoPi * d[off + 8 + j]);
    out[at + j] = f32(r * f32(Math.cos(th)));
    out[at + 8 + j] = f32(r * f32(Math.sin(th)));
  }
}

/** `n*prod(shape)` float32 N(0,1) values: `make_noise(n, shape, seed)` of tinycats.solvers, value for value. */
export function makeNoise(n, shape, seed) {
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new Error(`seed must be in 0..2**32-1, got ${seed}`);
  const m = n * shape.reduce((a, b) => a * b, 1), rs = new MT19937(seed);
  const out = new Float32Array(m), full = Math.floor(m / 16) * 16, u = uniforms(rs, m);
  for (let g = 0; g < full; g += 16) boxMuller(u, g, out, g);
  if (m % 16) boxMuller(uniforms(rs, 16), 0, out, m - 16);   // the tail: 16 fresh uniforms for the last 16 values
  return out;
}
