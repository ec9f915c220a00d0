// Reading a user's file safely in the browser: size limits checked on the header before decoding, then the browser's
// own decoder (no colour-space conversion, no premultiplied alpha, EXIF orientation honoured) to RGB bytes.
import { rgbaToRgb } from './preprocess.js';

export const MAX_PIXELS = 50_000_000;   // as tinycats.images.MAX_PIXELS: ~7000x7000
export const MAX_BYTES = 50 * 1024 * 1024;

const u16be = (b, i) => (b[i] << 8) | b[i + 1], u16le = (b, i) => b[i] | (b[i + 1] << 8);
const u32be = (b, i) => ((b[i] << 24) >>> 0) + (b[i + 1] << 16) + (b[i + 2] << 8) + b[i + 3];
const u32le = (b, i) => b[i] + (b[i + 1] << 8) + (b[i + 2] << 16) + ((b[i + 3] << 24) >>> 0);

function jpegSize(b) {
  for (let i = 2; i + 9 < b.length;) {
    if (b[i] !== 0xff) { i++; continue; }
    const m = b[i + 1];
    if (m === 0xff) { i++; continue; }
    if (m >= 0xc0 && m <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(m)) return [u16be(b, i + 7), u16be(b, i + 5)];
    i += 2 + u16be(b, i + 2);
  }
  return [0, 0];
}

/** `{format, w, h}` read from the first bytes of an image file `b` (Uint8Array), or null when it is no known format. */
export function imageHeader(b) {
  if (b.length > 24 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47)
    return { format: 'png', w: u32be(b, 16), h: u32be(b, 20) };
  if (b.length > 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) { const [w, h] = jpegSize(b); return { format: 'jpeg', w, h }; }
  if (b.length > 10 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) return { format: 'gif', w: u16le(b, 6), h: u16le(b, 8) };
  if (b.length > 26 && b[0] === 0x42 && b[1] === 0x4d) return { format: 'bmp', w: u32le(b, 18), h: Math.abs(u32le(b, 22) | 0) };
  if (b.length > 30 && u32be(b, 0) === 0x52494646 && u32be(b, 8) === 0x57454250) {
    const kind = String.fromCharCode(...b.slice(12, 16));
    if (kind === 'VP8X') return { format: 'webp', w: 1 + (b[24] | (b[25] << 8) | (b[26] << 16)), h: 1 + (b[27] | (b[28] << 8) | (b[29] << 16)) };
    if (kind === 'VP8L') { const v = u32le(b, 21); return { format: 'webp', w: 1 + (v & 0x3fff), h: 1 + ((v >> 14) & 0x3fff) }; }
    return { format: 'webp', w: u16le(b, 26) & 0x3fff, h: u16le(b, 28) & 0x3fff };
  }
  return null;
}

/** Decode `blob` (a File or Blob named `name`) to `{rgb, w, h}`, or throw an error naming the file and the problem. */
export async function decodeImage(blob, name = 'image') {
  if (!blob || blob.size === 0) throw new Error(`${name}: empty file (0 bytes)`);
  if (blob.size > MAX_BYTES) throw new Error(`${name}: ${(blob.size / 1e6).toFixed(1)} MB is over the limit of ${MAX_BYTES / 2 ** 20} MB`);
  const hd = imageHeader(new Uint8Array(await blob.slice(0, 65536).arrayBuffer()));
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
