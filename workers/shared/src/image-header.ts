// What an uploaded file is, from its own bytes: never its name or the Content-Type its sender claimed. Only the
// header is read (no decoding), so a hostile file costs nothing to reject.

export type ImageHeader = {
  type: "image/png" | "image/jpeg" | "image/gif" | "image/webp";
  extension: "png" | "jpg" | "gif" | "webp";
  width: number;
  height: number;
};

/**
 * Larger canvases are refused: a tiny file can declare a huge one (a decompression bomb for whoever decodes it, a
 * 40-megapixel RGBA canvas being 160 MB). Both bounds hold: a long strip is as costly as a square of its pixels.
 */
export const MAX_IMAGE_SIDE = 20_000;
export const MAX_IMAGE_PIXELS = 40_000_000;

const startsWith = (bytes: Uint8Array, prefix: readonly number[], at = 0): boolean =>
  bytes.length >= at + prefix.length && prefix.every((b, i) => bytes[at + i] === b);

function sized(type: ImageHeader["type"], extension: ImageHeader["extension"], width: number, height: number): ImageHeader | null {
  const real = (n: number) => Number.isInteger(n) && n > 0;
  return real(width) && real(height) ? { type, extension, width, height } : null;
}

/** Why this canvas is too large to accept (naming both bounds), or null when it fits. */
export function imageSizeProblem(image: Pick<ImageHeader, "width" | "height">): string | null {
  const { width, height } = image;
  if (width <= MAX_IMAGE_SIDE && height <= MAX_IMAGE_SIDE && width * height <= MAX_IMAGE_PIXELS) return null;
  const megapixels = (width * height) / 1_000_000;
  return `the image is ${width}×${height} px (${megapixels.toFixed(1)} megapixels): at most ${MAX_IMAGE_PIXELS / 1_000_000} megapixels and ${MAX_IMAGE_SIDE.toLocaleString("en")} px a side`;
}

function png(bytes: Uint8Array, view: DataView): ImageHeader | null {
  // Signature, then IHDR must be the first chunk: length 13, type "IHDR", width and height big-endian.
  if (!startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) || bytes.length < 24) return null;
  if (view.getUint32(8) !== 13 || !startsWith(bytes, [0x49, 0x48, 0x44, 0x52], 12)) return null;
  return sized("image/png", "png", view.getUint32(16), view.getUint32(20));
}

function gif(bytes: Uint8Array, view: DataView): ImageHeader | null {
  const magic = startsWith(bytes, [0x47, 0x49, 0x46, 0x38, 0x37, 0x61]) || startsWith(bytes, [0x47, 0x49, 0x46, 0x38, 0x39, 0x61]);
  if (!magic || bytes.length < 10) return null;
  return sized("image/gif", "gif", view.getUint16(6, true), view.getUint16(8, true));
}

// Start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not frames.
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function jpeg(bytes: Uint8Array, view: DataView): ImageHeader | null {
  if (!startsWith(bytes, [0xff, 0xd8, 0xff])) return null;
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1] ?? 0;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    // Markers without a length: TEM, RSTn, SOI.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null; // end of image, or scan data before any frame
    const length = view.getUint16(at + 2);
    if (length < 2) return null;
    if (SOF.has(marker)) {
      if (at + 9 > bytes.length) return null;
      return sized("image/jpeg", "jpg", view.getUint16(at + 7), view.getUint16(at + 5));
    }
    at += 2 + length;
  }
  return null;
}

function webp(bytes: Uint8Array, view: DataView): ImageHeader | null {
  // RIFF <size> WEBP, then the first chunk says which flavour.
  if (!startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) || !startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8) || bytes.length < 30) return null;
  const chunk = String.fromCharCode(...bytes.subarray(12, 16));
  if (chunk === "VP8 ") {
    // Lossy: a 3-byte frame tag, the start code 9D 01 2A, then 14-bit width and height.
    if (!startsWith(bytes, [0x9d, 0x01, 0x2a], 23)) return null;
    return sized("image/webp", "webp", view.getUint16(26, true) & 0x3fff, view.getUint16(28, true) & 0x3fff);
  }
  if (chunk === "VP8L") {
    // Lossless: signature 0x2F, then width-1 and height-1 in 14 bits each.
    if (bytes[20] !== 0x2f) return null;
    const bits = view.getUint32(21, true);
    return sized("image/webp", "webp", (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (chunk === "VP8X") {
    // Extended: canvas width-1 and height-1 in 24 bits each.
    const width = (bytes[24] ?? 0) | ((bytes[25] ?? 0) << 8) | ((bytes[26] ?? 0) << 16);
    const height = (bytes[27] ?? 0) | ((bytes[28] ?? 0) << 8) | ((bytes[29] ?? 0) << 16);
    return sized("image/webp", "webp", width + 1, height + 1);
  }
  return null;
}

/** The image's type and the size its header declares, however large; null for anything else or truncated. */
export function sniffImage(bytes: Uint8Array): ImageHeader | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    return png(bytes, view) ?? jpeg(bytes, view) ?? gif(bytes, view) ?? webp(bytes, view);
  } catch {
    // A DataView read past the end (a header cut short): not an image we can serve.
    return null;
  }
}

/** The image's type and size from its header; null for anything else, truncated, or beyond the size bounds. */
export function readImageHeader(bytes: Uint8Array): ImageHeader | null {
  const image = sniffImage(bytes);
  return image !== null && imageSizeProblem(image) === null ? image : null;
}
