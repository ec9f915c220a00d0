// The classifier's input, as `tinycats.images.preprocess`: short side to `size` with PIL's bicubic resize (antialiased:
// the filter support grows by the downscale factor; separable, horizontal pass then vertical, 8-bit fixed point as
// PIL's `ImagingResample` does), centre crop, /255, (3,size,size) float32.
const PRECISION_BITS = 32 - 8 - 2;

function bicubic(x) {  // PIL's bicubic filter, a = -0.5
  const a = -0.5; x = Math.abs(x);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

/** PIL's `precompute_coeffs` + `normalize_coeffs_8bpc`: per output pixel the first input index, count and int weights. */
export function coeffs(inSize, outSize) {
  const scale = inSize / outSize, fscale = Math.max(scale, 1), support = 2 * fscale;
  const ksize = Math.ceil(support) * 2 + 1, kk = new Int32Array(outSize * ksize), bounds = new Int32Array(outSize * 2);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale, ss = 1 / fscale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    const w = new Float64Array(xmax); let ww = 0;
    for (let x = 0; x < xmax; x++) { w[x] = bicubic((x + xmin - center + 0.5) * ss); ww += w[x]; }
    for (let x = 0; x < xmax; x++) {
      const k = ww !== 0 ? w[x] / ww : w[x];
      kk[xx * ksize + x] = k < 0 ? Math.trunc(-0.5 + k * (1 << PRECISION_BITS)) : Math.trunc(0.5 + k * (1 << PRECISION_BITS));
    }
    bounds[xx * 2] = xmin; bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, kk, bounds };
}

function clip8(ss) { return ss <= 0 ? 0 : ss >= (1 << PRECISION_BITS) * 256 ? 255 : Math.floor(ss / (1 << PRECISION_BITS)); }

/** Horizontal pass on RGB bytes `src` (w x h, rows y0..y0+rows-1) to `ow` columns. */
function resampleH(src, w, y0, rows, ow, c) {
  const out = new Uint8Array(ow * rows * 3);
  for (let y = 0; y < rows; y++) for (let xx = 0; xx < ow; xx++) {
    const xmin = c.bounds[xx * 2], n = c.bounds[xx * 2 + 1], k = xx * c.ksize;
    for (let ch = 0; ch < 3; ch++) {
      let ss = 1 << (PRECISION_BITS - 1);
      for (let x = 0; x < n; x++) ss += src[((y0 + y) * w + xmin + x) * 3 + ch] * c.kk[k + x];
      out[(y * ow + xx) * 3 + ch] = clip8(ss);
    }
  }
  return out;
}

/** Vertical pass on RGB bytes `src` (w columns) to `oh` rows; `off` shifts the bounds (rows already cut). */
function resampleV(src, w, oh, c, off) {
  const out = new Uint8Array(w * oh * 3);
  for (let yy = 0; yy < oh; yy++) {
    const ymin = c.bounds[yy * 2] - off, n = c.bounds[yy * 2 + 1], k = yy * c.ksize;
    for (let x = 0; x < w; x++) for (let ch = 0; ch < 3; ch++) {
      let ss = 1 << (PRECISION_BITS - 1);
      for (let y = 0; y < n; y++) ss += src[((ymin + y) * w + x) * 3 + ch] * c.kk[k + y];
      out[(yy * w + x) * 3 + ch] = clip8(ss);
    }
  }
  return out;
}

/** PIL `Image.resize((ow, oh), BICUBIC)` of RGB bytes `rgb` (w x h): the same bytes, pass for pass. */
export function resizeBicubic(rgb, w, h, ow, oh) {
  let img = rgb, iw = w;
  const cv = coeffs(h, oh), y0 = cv.bounds[0], y1 = cv.bounds[oh * 2 - 2] + cv.bounds[oh * 2 - 1];
  let off = 0;
  if (ow !== w) { img = resampleH(rgb, w, y0, y1 - y0, ow, coeffs(w, ow)); iw = ow; off = y0; }
  if (oh !== h) img = resampleV(img, iw, oh, cv, off);
  else if (off) img = img;  // no vertical pass: all rows were kept (y0 = 0 when oh = h)
  return img;
}

function roundHalfEven(v) { const r = Math.round(v); return (r - v === 0.5 && r % 2 !== 0) ? r - 1 : r; }

/** RGBA bytes (from a canvas) as RGB bytes, transparency composited on white as `tinycats.images.to_rgb` does. */
export function rgbaToRgb(rgba, w, h) {
  const out = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    const a = rgba[i * 4 + 3];
    for (let c = 0; c < 3; c++) {
      const v = rgba[i * 4 + c];
      out[i * 3 + c] = a === 255 ? v : Math.round((v * a + 255 * (255 - a)) / 255);
    }
  }
  return out;
}

/** `preprocess(img, size)`: RGB bytes (w x h) -> float32 (3,size,size) in [0,1]; short side to `size`, centre crop. */
export function preprocess(rgb, w, h, size = 224) {
  const s = size / Math.min(w, h);
  const nw = Math.max(size, roundHalfEven(w * s)), nh = Math.max(size, roundHalfEven(h * s));
  const img = resizeBicubic(rgb, w, h, nw, nh);
  const l = Math.floor((nw - size) / 2), t = Math.floor((nh - size) / 2), out = new Float32Array(3 * size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) for (let c = 0; c < 3; c++)
    out[(c * size + y) * size + x] = img[((t + y) * nw + l + x) * 3 + c] / 255;
  return out;
}

/** The mirror image (flip along x) of a (N,3,size,size) batch, for mirror test-time augmentation. */
export function mirror(x, size) {
  const out = new Float32Array(x.length);
  for (let r = 0; r < x.length / size; r++) for (let i = 0; i < size; i++) out[r * size + i] = x[r * size + size - 1 - i];
  return out;
}
