import { concatBytes } from "./bytes.ts";
import type { ImageHeader } from "./image-header.ts";

// Uploaded pictures are published as they are stored, so what a camera or an editor wrote beside the pixels
// (GPS position, camera serial numbers, the owner's name, comments, edit history, a thumbnail of the uncropped
// original) is removed first. Pure byte work on the container (segments and chunks are copied or dropped whole,
// nothing is decoded or re-encoded), so it runs anywhere, costs one pass over the file, and the pixels are the
// uploader's own bytes. Each format keeps what decoding and colour need, by a list of what to keep: whatever a
// format adds later is dropped until it is known to be harmless.

export type Stripped = { bytes: Uint8Array } | { damaged: string };

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));
const startsWith = (bytes: Uint8Array, prefix: readonly number[], at = 0): boolean =>
  bytes.length >= at + prefix.length && prefix.every((b, i) => bytes[at + i] === b);
const u16be = (b: Uint8Array, at: number): number => ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
const u32be = (b: Uint8Array, at: number): number => u16be(b, at) * 0x10000 + u16be(b, at + 2);
const u32le = (b: Uint8Array, at: number): number =>
  (b[at] ?? 0) + ((b[at + 1] ?? 0) << 8) + ((b[at + 2] ?? 0) << 16) + (b[at + 3] ?? 0) * 0x1000000;

// ── JPEG ────────────────────────────────────────────────────────────────────────────────────────────────────
// Kept: the frame, tables and scans (SOFn, DHT, DAC, DQT, DRI, DNL, DHP, EXP), the JFIF header (without its
// thumbnail), an ICC profile (APP2 ICC_PROFILE) and Adobe's APP14 (it says how to read the colour channels).
// Dropped: EXIF and XMP (APP1) but the orientation, Photoshop/IPTC (APP13), every other APPn, comments (COM), and
// anything after the end of the image (a second picture, a phone's motion clip).
const EOI = new Uint8Array([0xff, 0xd9]);
const JFIF = ascii("JFIF\0");
const EXIF = ascii("Exif\0\0");
const ICC_PROFILE = ascii("ICC_PROFILE\0");
const ADOBE = ascii("Adobe");
const isRestart = (marker: number) => marker >= 0xd0 && marker <= 0xd7;

/** EXIF orientation (1–8) from an APP1 Exif payload (after "Exif\0\0"), or null. Reads IFD0 only. */
function exifOrientation(tiff: Uint8Array): number | null {
  const little = startsWith(tiff, ascii("II*\0"));
  if (!little && !startsWith(tiff, ascii("MM\0*"))) return null;
  const u16 = (at: number) => (little ? (tiff[at] ?? 0) | ((tiff[at + 1] ?? 0) << 8) : u16be(tiff, at));
  const ifd = little ? u32le(tiff, 4) : u32be(tiff, 4);
  if (ifd + 2 > tiff.length) return null;
  const entries = u16(ifd);
  for (let i = 0; i < entries; i++) {
    const at = ifd + 2 + i * 12;
    if (at + 12 > tiff.length) return null;
    // Orientation is tag 0x0112, one SHORT, held in the entry itself.
    if (u16(at) === 0x0112 && u16(at + 2) === 3) {
      const value = u16(at + 8);
      return value >= 1 && value <= 8 ? value : null;
    }
  }
  return null;
}

/** An APP1 segment holding only an orientation: phones store portraits turned, and viewers turn them back by it. */
function orientationOnlyExif(orientation: number): Uint8Array {
  const tiff = [...ascii("MM\0*"), 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0];
  const payload = [...EXIF, ...tiff];
  return new Uint8Array([0xff, 0xe1, ...[((payload.length + 2) >> 8) & 0xff, (payload.length + 2) & 0xff], ...payload]);
}

/** The segment as it is to be stored (maybe rewritten), or null to drop it. `segment` includes marker and length. */
function keptJpegSegment(marker: number, segment: Uint8Array): Uint8Array | null {
  const payload = segment.subarray(4);
  if (marker === 0xe0) {
    // JFIF: version, density; its thumbnail (if any) goes, by cutting the header to 14 bytes with no thumbnail.
    if (!startsWith(payload, JFIF) || payload.length < 14) return null;
    const header = new Uint8Array(segment.subarray(0, 18));
    header.set([0, 16], 2);
    header.set([0, 0], 16);
    return header;
  }
  if (marker === 0xe1) {
    const orientation = startsWith(payload, EXIF) ? exifOrientation(payload.subarray(EXIF.length)) : null;
    return orientation === null || orientation === 1 ? null : orientationOnlyExif(orientation);
  }
  if (marker === 0xe2) return startsWith(payload, ICC_PROFILE) ? segment : null;
  if (marker === 0xee) return startsWith(payload, ADOBE) ? segment : null;
  // SOFn, DHT (C4), JPG (C8), DAC (CC) share C0–CF; then DQT, DNL, DRI, DHP, EXP.
  if ((marker >= 0xc0 && marker <= 0xcf) || (marker >= 0xdb && marker <= 0xdf)) return segment;
  return null; // other APPn, COM, reserved
}

/** Where the entropy-coded data that starts at `at` ends: at the first marker that is not a stuffed FF00 or RSTn. */
function scanEnd(b: Uint8Array, at: number): number {
  let end = at;
  for (;;) {
    end = b.indexOf(0xff, end);
    if (end < 0 || end + 1 >= b.length) return b.length;
    const next = b[end + 1] ?? 0;
    if (next === 0x00 || isRestart(next)) end += 2;
    else if (next === 0xff) end += 1;
    else return end;
  }
}

function stripJpeg(b: Uint8Array): Stripped {
  const out: Uint8Array[] = [b.subarray(0, 2)];
  let at = 2;
  for (;;) {
    if (at >= b.length) break; // the last scan ran to the end of the file: the end marker is added below
    if (b[at] !== 0xff) return { damaged: `a JPEG segment should start at byte ${at}` };
    while (b[at + 1] === 0xff) at++; // fill bytes
    const marker = b[at + 1];
    if (marker === undefined) break;
    if (marker === 0xd9) break;
    if (marker === 0x01 || isRestart(marker)) {
      out.push(b.subarray(at, at + 2));
      at += 2;
      continue;
    }
    if (marker === 0xd8) return { damaged: "a second start-of-image marker" };
    const length = u16be(b, at + 2);
    if (at + 4 > b.length || length < 2 || at + 2 + length > b.length) return { damaged: "a JPEG segment is cut short" };
    const segment = b.subarray(at, at + 2 + length);
    at += 2 + length;
    if (marker === 0xda) {
      const end = scanEnd(b, at);
      out.push(segment, b.subarray(at, end));
      at = end;
      continue;
    }
    const kept = keptJpegSegment(marker, segment);
    if (kept !== null) out.push(kept);
  }
  out.push(EOI);
  return { bytes: concatBytes(out) };
}

// ── PNG ─────────────────────────────────────────────────────────────────────────────────────────────────────
// Kept: every critical chunk (IHDR, PLTE, IDAT, IEND, or one unknown to us that a decoder must understand) and
// the ancillary chunks that change how the pixels look or move (transparency, colour, gamma, density, animation).
// Dropped: text (tEXt, zTXt, iTXt), EXIF (eXIf), the modification time (tIME), private chunks, bytes after IEND.
const PNG_KEEP = new Set(["tRNS", "gAMA", "cHRM", "sRGB", "iCCP", "sBIT", "bKGD", "pHYs", "cICP", "mDCv", "cLLi", "acTL", "fcTL", "fdAT"]);
const IEND = new Uint8Array([0, 0, 0, 0, ...ascii("IEND"), 0xae, 0x42, 0x60, 0x82]);

function stripPng(b: Uint8Array): Stripped {
  const out: Uint8Array[] = [b.subarray(0, 8)];
  let at = 8;
  while (at < b.length) {
    if (at + 12 > b.length) return { damaged: "a PNG chunk is cut short" };
    const length = u32be(b, at);
    const type = String.fromCharCode(...b.subarray(at + 4, at + 8));
    if (!/^[A-Za-z]{4}$/.test(type) || at + 12 + length > b.length) return { damaged: "a PNG chunk is cut short or unreadable" };
    // Bit 5 of the first letter: lower case is ancillary (may be dropped), upper case is critical.
    const critical = ((b[at + 4] ?? 0) & 0x20) === 0;
    const chunk = b.subarray(at, at + 12 + length);
    at += 12 + length;
    if (type === "IEND") break;
    if (critical || PNG_KEEP.has(type)) out.push(chunk);
  }
  out.push(IEND);
  return { bytes: concatBytes(out) };
}

// ── WebP ────────────────────────────────────────────────────────────────────────────────────────────────────
// Kept: the image (VP8, VP8L, ALPH), the extended header (VP8X, with its EXIF and XMP flags cleared), the ICC
// profile and animation (ANIM, ANMF). Dropped: EXIF, XMP and unknown chunks, and bytes after the RIFF.
const WEBP_KEEP = new Set(["VP8X", "VP8 ", "VP8L", "ALPH", "ICCP", "ANIM", "ANMF"]);
const VP8X_EXIF = 0x08;
const VP8X_XMP = 0x04;

function stripWebp(b: Uint8Array): Stripped {
  const riffEnd = Math.min(b.length, 8 + u32le(b, 4));
  const out: Uint8Array[] = [];
  let at = 12;
  while (at + 8 <= riffEnd) {
    const type = String.fromCharCode(...b.subarray(at, at + 4));
    const size = u32le(b, at + 4);
    const end = at + 8 + size + (size % 2); // chunks are padded to an even size
    if (at + 8 + size > riffEnd) return { damaged: "a WebP chunk is cut short" };
    const chunk = b.subarray(at, Math.min(end, riffEnd));
    at = end;
    if (!WEBP_KEEP.has(type)) continue;
    if (type === "VP8X" && size >= 1) {
      const header = new Uint8Array(chunk);
      header[8] = (header[8] ?? 0) & ~(VP8X_EXIF | VP8X_XMP);
      out.push(header);
    } else out.push(chunk);
  }
  if (out.length === 0) return { damaged: "a WebP file without an image" };
  const body = concatBytes(out);
  const size = 4 + body.length;
  const head = new Uint8Array([
    ...ascii("RIFF"),
    size & 0xff,
    (size >> 8) & 0xff,
    (size >> 16) & 0xff,
    (size >>> 24) & 0xff,
    ...ascii("WEBP"),
  ]);
  return { bytes: concatBytes([head, body]) };
}

// ── GIF ─────────────────────────────────────────────────────────────────────────────────────────────────────
// Kept: the screen and colour tables, every image, graphic control (frame timing, transparency), and the looping
// (NETSCAPE2.0, ANIMEXTS1.0) and colour profile (ICCRGBG1) application blocks. Dropped: comments, plain-text
// blocks (no browser draws them) and every other application block (XMP among them), and bytes after the trailer.
const GIF_APPS_KEPT = ["NETSCAPE2.0", "ANIMEXTS1.0", "ICCRGBG1012"].map(ascii);

/** The index after the data sub-blocks that start at `at` (ending with a zero-length one), or -1 if cut short. */
function afterSubBlocks(b: Uint8Array, at: number): number {
  let i = at;
  while (i < b.length) {
    const size = b[i] ?? 0;
    if (size === 0) return i + 1;
    i += 1 + size;
  }
  return -1;
}

const colourTableBytes = (packed: number): number => ((packed & 0x80) === 0 ? 0 : 3 * 2 ** ((packed & 0x07) + 1));

function stripGif(b: Uint8Array): Stripped {
  let at = 13 + colourTableBytes(b[10] ?? 0);
  if (at > b.length) return { damaged: "the GIF's colour table is cut short" };
  const out: Uint8Array[] = [b.subarray(0, at)];
  while (at < b.length) {
    const block = b[at];
    if (block === 0x3b) break;
    if (block === 0x2c) {
      const data = at + 10 + colourTableBytes(b[at + 9] ?? 0) + 1; // descriptor, local table, LZW code size
      const end = data > b.length ? -1 : afterSubBlocks(b, data);
      if (end < 0) return { damaged: "a GIF image is cut short" };
      out.push(b.subarray(at, end));
      at = end;
    } else if (block === 0x21) {
      const label = b[at + 1];
      const end = afterSubBlocks(b, at + 2);
      if (end < 0) return { damaged: "a GIF extension is cut short" };
      const app = label === 0xff && b[at + 2] === 11 && GIF_APPS_KEPT.some((id) => startsWith(b, id, at + 3));
      if (label === 0xf9 || app) out.push(b.subarray(at, end));
      at = end;
    } else return { damaged: `an unknown GIF block at byte ${at}` };
  }
  out.push(new Uint8Array([0x3b]));
  return { bytes: concatBytes(out) };
}

/**
 * The file without its metadata, as it is to be stored; `damaged` when its structure cannot be followed (then
 * nothing can be promised about what it carries, so it is refused rather than stored as it came).
 */
export function stripImageMetadata(bytes: Uint8Array, type: ImageHeader["type"]): Stripped {
  switch (type) {
    case "image/jpeg":
      return stripJpeg(bytes);
    case "image/png":
      return stripPng(bytes);
    case "image/webp":
      return stripWebp(bytes);
    case "image/gif":
      return stripGif(bytes);
  }
}
