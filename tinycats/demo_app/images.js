// Reading a user's file safely in the browser: size limits checked on the header (wherever it is) before decoding, then the browser's
// own decoder (no colour-space conversion, no premultiplied alpha, EXIF orientation honoured) to RGB bytes.
import { rgbaToRgb } from './preprocess.js';

export const MAX_PIXELS = 50_000_000;   // as tinycats.images.MAX_PIXELS: ~7000x7000
export const MAX_BYTES = 50 * 1024 * 1024;

const u16be = (b, i) => (b[i] << 8) | b[i + 1], u16le = (b, i) => b[i] | (b[i + 1] << 8);
const u32be = (b, i) => ((b[i] << 24) >>> 0) + (b[i + 1] << 16) + (b[i + 2] << 8) + b[i + 3];
const u32le = (b, i) => b[i] + (b[i + 1] << 8) + (b[i + 2] << 16) + ((b[i + 3] << 24) >>> 0);

/** Random access to a Blob's bytes through a 64 KB window: `at(offset, n)` resolves to up to `n` bytes. */
function blobReader(blob) {
  let start = 0, win = new Uint8Array(0);
  return async (off, n) => {
    if (off < start || off + n > start + win.length) {
      start = off; win = new Uint8Array(await blob.slice(off, off + Math.max(n, 65536)).arrayBuffer());
    }
    return win.subarray(off - start, off - start + n);
  };
}

// JPEG: walk the segments from the start to the frame header (SOF), however large the EXIF, XMP or ICC blocks before it.
async function jpegSize(at) {
  for (let i = 2; ;) {
    const b = await at(i, 9);
    if (b.length < 4) return [0, 0];                           // no frame header: the decoder will say it is corrupt
    if (b[0] !== 0xff) {                                       // stray bytes before a marker (libjpeg skips them too)
      const w = await at(i, 65536), k = w.indexOf(0xff, 1);
      i += k > 0 ? k : w.length; continue;
    }
    const m = b[1];
    if (m === 0xff) { i += 1; continue; }                      // fill byte
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd8)) { i += 2; continue; }   // markers without a length
    if (m === 0xd9 || m === 0xda) return [0, 0];               // end of image or scan data before any frame header
    if (m >= 0xc0 && m <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(m)) return b.length < 9 ? [0, 0] : [u16be(b, 7), u16be(b, 5)];
    i += 2 + u16be(b, 2);
  }
}

// GIF: the logical screen, grown to the first image's frame where that reaches further (as browsers draw it).
async function gifSize(at, b) {
  let w = u16le(b, 6), h = u16le(b, 8), i = 13 + (b[10] & 0x80 ? 3 << ((b[10] & 7) + 1) : 0);
  for (let guard = 0; guard < 10000; guard++) {
    const x = await at(i, 10);
    if (x[0] === 0x2c && x.length >= 9) return [Math.max(w, u16le(x, 1) + u16le(x, 5)), Math.max(h, u16le(x, 3) + u16le(x, 7))];
    if (x[0] !== 0x21 || x.length < 3) return [w, h];          // no image descriptor where one must be
    for (i += 2; ;) { const n = (await at(i, 1))[0]; if (!n) { i += 1; break; } i += 1 + n; }   // an extension's sub-blocks
  }
  return [w, h];
}

function webpSize(b) {
  const kind = String.fromCharCode(...b.slice(12, 16));
  if (kind === 'VP8X') return [1 + (b[24] | (b[25] << 8) | (b[26] << 16)), 1 + (b[27] | (b[28] << 8) | (b[29] << 16))];
  if (kind === 'VP8L') { const v = u32le(b, 21); return [1 + (v & 0x3fff), 1 + ((v >>> 14) & 0x3fff)]; }
  if (kind === 'VP8 ' && b[23] === 0x9d && b[24] === 0x01 && b[25] === 0x2a) return [u16le(b, 26) & 0x3fff, u16le(b, 28) & 0x3fff];
  return [0, 0];
}

/** `{format, w, h}` of the image file `blob` from its header (JPEG, PNG, GIF, WebP, BMP), or null for another format. */
export async function imageHeader(blob) {
  const at = blobReader(blob), b = await at(0, 32), is = (i, ...xs) => xs.every((x, k) => b[i + k] === x);
  if (b.length >= 24 && is(0, 0x89, 0x50, 0x4e, 0x47)) return { format: 'png', w: u32be(b, 16), h: u32be(b, 20) };
  if (b.length >= 4 && is(0, 0xff, 0xd8, 0xff)) { const [w, h] = await jpegSize(at); return { format: 'jpeg', w, h }; }
  if (b.length >= 13 && is(0, 0x47, 0x49, 0x46)) { const [w, h] = await gifSize(at, b); return { format: 'gif', w, h }; }
  if (b.length >= 26 && is(0, 0x42, 0x4d)) return { format: 'bmp', w: u32le(b, 18), h: Math.abs(u32le(b, 22) | 0) };
  if (b.length >= 30 && u32be(b, 0) === 0x52494646 && u32be(b, 8) === 0x57454250) { const [w, h] = webpSize(b); return { format: 'webp', w, h }; }
  return null;
}

/** Decode `blob` (a File or Blob named `name`) to `{rgb, w, h}`, or throw an error naming the file and the problem. */
export async function decodeImage(blob, name = 'image') {
  if (!blob || blob.size === 0) throw new Error(`${name}: empty file (0 bytes)`);
  if (blob.size > MAX_BYTES) throw new Error(`${name}: ${(blob.size / 1e6).toFixed(1)} MB is over the limit of ${MAX_BYTES / 2 ** 20} MB`);
  const hd = await imageHeader(blob);
  if (!hd) throw new Error(`${name}: not an image (unrecognised format)`);
  if (hd.w * hd.h > MAX_PIXELS)
    throw new Error(`${name}: ${hd.w}x${hd.h} pixels is over the limit of ${MAX_PIXELS.toLocaleString('en')} (decompression bomb?)`);
  let bmp;
  try { bmp = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'from-image' }); }
  catch (e) { throw new Error(`${name}: truncated or corrupt image (the browser could not decode this ${hd.format})`); }
  const { width: w, height: h } = bmp, cv = new OffscreenCanvas(w, h), ctx = cv.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(bmp, 0, 0); bmp.close();
  return { rgb: rgbaToRgb(ctx.getImageData(0, 0, w, h).data, w, h), w, h };
}
