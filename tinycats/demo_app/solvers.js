// The solver of tinycats.solvers, in the same names and order: time grid, Euler/Heun steps, guidance, sampling.
// Arrays are Float32Array (a Float32Array store rounds to float32, as NumPy's float32 arithmetic does).
const f32 = Math.fround;

/** Time `t` under the resolution shift `shift` (its odds `t/(1-t)` divided by `shift`), in float32 as `shift_time`. */
export function shiftTime(t, shift) {
  const s = f32(shift);
  return f32(t / f32(t + f32(s * f32(1 - t))));
}

/** The `steps+1` solver times: float32 `linspace(t0, t1, steps+1)` as `time_grid` (PyTorch's scalar kernel) computes it,
 * then `shiftTime` unless `shift` is 1. */
export function timeGrid(steps, t0 = 0, t1 = 1, shift = 1) {
  if (!(shift > 0 && Number.isFinite(shift))) throw new Error(`time shift=${shift} must be a positive number (1 = no shift)`);
  const n = steps + 1, a = f32(t0), b = f32(t1), step = f32(f32(b - a) / f32(Math.max(n - 1, 1)));
  const ts = [];
  for (let i = 0; i < n; i++) ts.push(i < Math.floor(n / 2) ? f32(a + f32(i * step)) : f32(b - f32(f32(n - 1 - i) * step)));
  return shift === 1 ? ts : ts.map(t => shiftTime(t, shift));
}

/** One Euler step of `dx/dt = vf(x, t)` from `t` to `tNext` (async `vf`). */
export async function eulerStep(vf, x, t, tNext) {
  const v = await vf(x, t), dt = f32(tNext - t), out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] + f32(dt * v[i]);
  return out;
}

/** One Heun (2nd-order) step: `x + (tNext - t) * (v + vf(x_e, tNext)) / 2`, rounded as NumPy float32 does. */
export async function heunStep(vf, x, t, tNext) {
  const v = await vf(x, t), dt = f32(tNext - t), xe = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) xe[i] = x[i] + f32(dt * v[i]);
  const v2 = await vf(xe, tNext), out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] + f32(f32(dt * f32(v[i] + v2[i])) / 2);
  return out;
}

export const SAMPLERS = { euler: eulerStep, heun: heunStep };

/** Guided velocity `v_u + w*(v_c - v_u)` from ONE batched `velocity(x, t, y)` call of 2B (cond, then null id). */
export async function guidedVelocity(velocity, x, t, y, w, nullId) {
  if (f32(w) === 1) return velocity(x, y.map(() => t), y);
  const B = y.length, x2 = new Float32Array(2 * x.length);
  x2.set(x); x2.set(x, x.length);
  const v = await velocity(x2, [...y, ...y].map(() => t), [...y, ...y.map(() => nullId)]);
  const wf = f32(w), out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) { const vc = v[i], vu = v[x.length + i]; out[i] = vu + f32(wf * f32(vc - vu)); }
  return out;
}

/** Integrate from noise `x` (t=0) to data (t=1) in `steps` on the grid of `spec.shift` (the model's time shift, 1 if
 * absent); `onStep(i, x)` after each step may return true to stop. */
export async function sampleFlow(velocity, spec, y, { steps = 50, sampler = 'euler', cfg = 1, noise, onStep } = {}) {
  if (!SAMPLERS[sampler]) throw new Error(`unknown sampler '${sampler}'; choose from: ${Object.keys(SAMPLERS).join(', ')}`);
  if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`steps=${steps} must be at least 1`);
  if (!(cfg >= 0 && Number.isFinite(cfg))) throw new Error(`guidance scale cfg=${cfg} must be a number >= 0`);
  const ts = timeGrid(steps, 0, 1, spec.shift ?? 1), vf = (x, t) => guidedVelocity(velocity, x, t, y, cfg, spec.nullId);
  let x = Float32Array.from(noise);
  for (let i = 0; i < steps; i++) {
    const st = spec.lastEuler && i === steps - 1 ? eulerStep : SAMPLERS[sampler];
    x = await st(vf, x, ts[i], ts[i + 1]);
    if (onStep && await onStep(i, x)) return null;
  }
  return x.map(v => Math.min(1, Math.max(-1, v)));
}

function rintEven(v) { const r = Math.round(v); return (r - v === 0.5 && r % 2 !== 0) ? r - 1 : r; }

/** `(N,3,H,W)` values in [-1,1] to RGBA bytes per image, as `tinycats.core.to_uint8`: rint((clip(x)+1)*127.5). */
export function toRGBA(x, n, h, w) {
  const imgs = [], hw = h * w;
  for (let k = 0; k < n; k++) {
    const px = new Uint8ClampedArray(hw * 4);
    for (let i = 0; i < hw; i++) {
      for (let c = 0; c < 3; c++) {
        const v = Math.min(1, Math.max(-1, x[(k * 3 + c) * hw + i]));
        px[i * 4 + c] = rintEven(f32(f32(v + 1) * 127.5));
      }
      px[i * 4 + 3] = 255;
    }
    imgs.push(px);
  }
  return imgs;
}
