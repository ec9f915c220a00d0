// Generated images on the page: the grid `tinycats.core.image_grid` draws (2 px white padding, up to 8 per row).
import { toRGBA } from './solvers.js';

/** RGBA bytes and size of the grid of `n` images `(n,3,h,w)` in [-1,1], laid out as `image_grid(x, nrow=min(n, 8))`. */
export function gridRGBA(x, n, h, w, pad = 2) {
  const ncol = Math.min(8, n), nr = Math.ceil(n / ncol), gw = ncol * (w + pad) + pad, gh = nr * (h + pad) + pad;
  const g = new Uint8ClampedArray(gw * gh * 4).fill(255), imgs = toRGBA(x, n, h, w);
  imgs.forEach((px, i) => {
    const r = Math.floor(i / ncol), c = i % ncol;
    for (let y = 0; y < h; y++) g.set(px.subarray(y * w * 4, (y + 1) * w * 4), ((pad + r * (h + pad) + y) * gw + pad + c * (w + pad)) * 4);
  });
  return { data: g, width: gw, height: gh };
}

/** Draw grid `g` on `canvas` (its pixel size set to the grid's; CSS scales it up without smoothing). */
export function drawGrid(canvas, g) {
  canvas.width = g.width; canvas.height = g.height;
  canvas.getContext('2d').putImageData(new ImageData(g.data, g.width, g.height), 0, 0);
}
