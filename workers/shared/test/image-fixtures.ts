import { pngChunk } from "../../catalog/seed/png.ts";

// Real, decodable little images (ImageMagick and cwebp, saved without any metadata), and the metadata a camera,
// a phone or an editor writes, built byte by byte so a test can plant it and look for it afterwards.

const fromBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** 16×8 baseline JPEG: SOI, JFIF, two DQT, SOF0, four DHT, one scan, EOI. */
export const BASELINE_JPEG = fromBase64(
  "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAYEBQYFBAYGBQYHBwYIChAKCgkJChQODwwQFxQYGBcUFhYaHSUfGhsjHBYWICwgIyYnKSopGR8tMC0oMCUoKSj/2wBDAQcHBwoIChMKChMoGhYaKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCj/wAARCAAIABADASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAf/xAAWEAEBAQAAAAAAAAAAAAAAAAAAFWL/xAAVAQEBAAAAAAAAAAAAAAAAAAAFB//EABkRAAEFAAAAAAAAAAAAAAAAAAAFFlOR8P/aAAwDAQACEQMRAD8AjdnRZ0CtM1Jj1DLsU5NZ/9k=",
);
/** 16×16 progressive JPEG: several scans with tables between them. */
export const PROGRESSIVE_JPEG = fromBase64(
  "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAYEBQYFBAYGBQYHBwYIChAKCgkJChQODwwQFxQYGBcUFhYaHSUfGhsjHBYWICwgIyYnKSopGR8tMC0oMCUoKSj/2wBDAQcHBwoIChMKChMoGhYaKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCj/wgARCAAQABADASIAAhEBAxEB/8QAFgABAQEAAAAAAAAAAAAAAAAAAAQG/8QAFQEBAQAAAAAAAAAAAAAAAAAABAb/2gAMAwEAAhADEAAAAY22Rxf/xAAVEAEBAAAAAAAAAAAAAAAAAAAAFP/aAAgBAQABBQKZMmTP/8QAFREBAQAAAAAAAAAAAAAAAAAAABT/2gAIAQMBAT8Bif/EABURAQEAAAAAAAAAAAAAAAAAAAAU/9oACAECAQE/Ab3/xAAUEAEAAAAAAAAAAAAAAAAAAAAg/9oACAEBAAY/Ah//xAAVEAEBAAAAAAAAAAAAAAAAAAAAcf/aAAgBAQABPyGEIQ//2gAMAwEAAgADAAAAEA//xAAVEQEBAAAAAAAAAAAAAAAAAAAAcf/aAAgBAwEBPxCH/8QAFREBAQAAAAAAAAAAAAAAAAAAAHH/2gAIAQIBAT8Qp//EABQQAQAAAAAAAAAAAAAAAAAAACD/2gAIAQEAAT8QH/8A/9k=",
);
/** 16×8 lossy WebP (simple format: one VP8 chunk). */
export const LOSSY_WEBP = fromBase64(
  "UklGRlIAAABXRUJQVlA4IEYAAADwAgCdASoQAAgAAUAmJagCdLcAlgH8A/AC7/wPQBXFAAD++dwH71bguc//ma7O/OlcZU/+cRf+cRf/ScXCY/xOLhMSAkAA",
);
/** 16×8 lossless WebP (one VP8L chunk). */
export const LOSSLESS_WEBP = fromBase64(
  "UklGRkgAAABXRUJQVlA4TDsAAAAvD8ABAD8AEIT/bRMCgRQO0wKBxJ/xXJ5/gkmaajtGB+cDTEOykkIKKaSQQgop5P+xDhH9z+dYhqZIAgA=",
);
/** 4×4 GIF, two frames looping: graphic control blocks and NETSCAPE2.0. */
export const ANIMATED_GIF = fromBase64(
  "R0lGODlhBAAEAPAAAP8AAAAAACH5BAAKAAAAIf8LTkVUU0NBUEUyLjADAQAAACwAAAAABAAEAAACBISPCQUAIfkEAAoAAAAsAAAAAAQABACAAAD/AAAAAgSEjwkFADs=",
);

/** Every planted secret contains this, so a test can look for all of them at once. */
export const SECRET = "SECRET";
export const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));
export const concat = (...parts: (Uint8Array | number[])[]): Uint8Array => new Uint8Array(parts.flatMap((p) => [...p]));
/** Whether `needle` (bytes, or ASCII text) occurs anywhere in `bytes`. */
export function contains(bytes: Uint8Array, needle: string | number[]): boolean {
  const want = typeof needle === "string" ? ascii(needle) : needle;
  for (let at = bytes.indexOf(want[0] ?? 0); at >= 0; at = bytes.indexOf(want[0] ?? 0, at + 1)) {
    if (want.every((b, i) => bytes[at + i] === b)) return true;
  }
  return false;
}

const u16 = (n: number, little: boolean) => (little ? [n & 0xff, n >> 8] : [n >> 8, n & 0xff]);
const u32 = (n: number, little: boolean) =>
  little ? [...u16(n & 0xffff, true), ...u16(n >>> 16, true)] : [...u16(n >>> 16, false), ...u16(n & 0xffff, false)];

/**
 * A TIFF structure as EXIF carries it: IFD0 with the camera's make (a secret), the orientation and a pointer to
 * a GPS IFD holding a latitude and longitude (51° 30' N, 0° 7' W).
 */
export function gpsTiff(options: { orientation?: number; little?: boolean } = {}): Uint8Array {
  const le = options.little ?? false;
  const make = ascii(`Spy Cam ${SECRET}\0`);
  // Layout: header (8) | IFD0: count, 3 entries, next (2 + 36 + 4) | GPS IFD: count, 4 entries, next (2 + 48 + 4)
  // | make | latitude (3 rationals) | longitude (3 rationals).
  const ifd0 = 8;
  const gps = ifd0 + 42;
  const makeAt = gps + 54;
  const latAt = makeAt + make.length;
  const lonAt = latAt + 24;
  const entry = (tag: number, type: number, count: number, value: number[]) => [
    ...u16(tag, le),
    ...u16(type, le),
    ...u32(count, le),
    ...value,
  ];
  const rationals = (...values: number[]) => values.flatMap((v) => [...u32(v, le), ...u32(1, le)]);
  return new Uint8Array([
    ...(le ? ascii("II*\0") : ascii("MM\0*")),
    ...u32(ifd0, le),
    ...u16(3, le),
    ...entry(0x010f, 2, make.length, u32(makeAt, le)), // Make
    ...entry(0x0112, 3, 1, [...u16(options.orientation ?? 1, le), 0, 0]), // Orientation
    ...entry(0x8825, 4, 1, u32(gps, le)), // GPSInfo
    ...u32(0, le),
    ...u16(4, le),
    ...entry(0x0001, 2, 2, [...ascii("N\0"), 0, 0]), // GPSLatitudeRef
    ...entry(0x0002, 5, 3, u32(latAt, le)), // GPSLatitude
    ...entry(0x0003, 2, 2, [...ascii("W\0"), 0, 0]), // GPSLongitudeRef
    ...entry(0x0004, 5, 3, u32(lonAt, le)), // GPSLongitude
    ...u32(0, le),
    ...make,
    ...rationals(51, 30, 0),
    ...rationals(0, 7, 0),
  ]);
}

/** A JPEG segment: marker, length, payload. */
export const jpegSegment = (marker: number, payload: number[] | Uint8Array): Uint8Array =>
  concat([0xff, marker, ...u16(payload.length + 2, false)], payload);

export const exifSegment = (tiff: Uint8Array) => jpegSegment(0xe1, concat(ascii("Exif\0\0"), tiff));
const xmp = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description exif:GPSLatitude="51,30N" dc:creator="${SECRET} author"/></x:xmpmeta>`;
export const ICC_SEGMENT = jpegSegment(0xe2, concat(ascii("ICC_PROFILE\0"), [1, 1], ascii("a colour profile")));
export const ADOBE_SEGMENT = jpegSegment(0xee, concat(ascii("Adobe"), [0, 100, 0, 0, 0, 0, 1]));

/**
 * `jpeg` with what cameras and editors add after its SOI: EXIF with GPS, XMP, Photoshop/IPTC, a comment, a
 * multi-picture index, plus an ICC profile and Adobe's colour block (which decoding needs), and a trailer after
 * the end of the image (a phone's second picture or motion clip).
 */
export function jpegWithMetadata(jpeg: Uint8Array, tiff = gpsTiff()): Uint8Array {
  return concat(
    jpeg.subarray(0, 2),
    exifSegment(tiff),
    jpegSegment(0xe1, concat(ascii("http://ns.adobe.com/xap/1.0/\0"), ascii(xmp))),
    jpegSegment(0xed, concat(ascii("Photoshop 3.0\0"), ascii(`8BIM IPTC ${SECRET} caption`))),
    jpegSegment(0xfe, ascii(`comment ${SECRET}`)),
    ICC_SEGMENT,
    jpegSegment(0xe2, concat(ascii("MPF\0"), ascii(`index ${SECRET}`))),
    [0xff, 0xff], // a fill byte before a marker
    ADOBE_SEGMENT,
    jpeg.subarray(2),
    ascii(`motion clip ${SECRET}`),
  );
}

/** A JFIF APP0 carrying a 1×1 thumbnail (three bytes of RGB). */
export const JFIF_WITH_THUMBNAIL = jpegSegment(0xe0, concat(ascii("JFIF\0"), [1, 1, 0, 0, 1, 0, 1, 1, 1], ascii("THM")));

/** `png` (signature + IHDR first) with text, EXIF, time and a private chunk after IHDR, then bytes after IEND. */
export function pngWithMetadata(png: Uint8Array): Uint8Array {
  const ihdrEnd = 8 + 25;
  return concat(
    png.subarray(0, ihdrEnd),
    pngChunk("tEXt", concat(ascii("Author\0"), ascii(`${SECRET} author`))),
    pngChunk("zTXt", concat(ascii("Comment\0"), [0], ascii(`compressed ${SECRET}`))),
    pngChunk("iTXt", concat(ascii("XML:com.adobe.xmp\0"), [0, 0, 0, 0], ascii(xmp))),
    pngChunk("eXIf", gpsTiff({ little: true })),
    pngChunk("tIME", new Uint8Array([7, 234, 12, 2, 13, 0, 0])),
    pngChunk("prVt", new Uint8Array(ascii(`private ${SECRET}`))),
    png.subarray(ihdrEnd),
    ascii(`after the end ${SECRET}`),
  );
}

/** A RIFF/WebP file of these chunks (each: fourcc + payload), padded as the format wants. */
export function webpOf(chunks: [string, Uint8Array | number[]][]): Uint8Array {
  const body = chunks.flatMap(([fourcc, payload]) => [
    ...ascii(fourcc),
    ...u32(payload.length, true),
    ...payload,
    ...(payload.length % 2 ? [0] : []),
  ]);
  return concat(ascii("RIFF"), u32(body.length + 4, true), ascii("WEBP"), body);
}

/** The chunks of a WebP file, in order. */
export function webpChunks(webp: Uint8Array): [string, Uint8Array][] {
  const out: [string, Uint8Array][] = [];
  const view = new DataView(webp.buffer, webp.byteOffset, webp.byteLength);
  for (let at = 12; at + 8 <= webp.length; ) {
    const size = view.getUint32(at + 4, true);
    out.push([String.fromCharCode(...webp.subarray(at, at + 4)), webp.subarray(at + 8, at + 8 + size)]);
    at += 8 + size + (size % 2);
  }
  return out;
}

/** The extended-format header for a canvas, with these flags (ICC 0x20, alpha 0x10, EXIF 0x08, XMP 0x04). */
export const vp8xOf = (flags: number, width: number, height: number) => [
  flags,
  0,
  0,
  0,
  ...u32(width - 1, true).slice(0, 3),
  ...u32(height - 1, true).slice(0, 3),
];
export const XMP_PACKET = ascii(xmp);

/** `gif` with a comment, an XMP application block and a plain-text block spliced in before its first block. */
export function gifWithMetadata(gif: Uint8Array): Uint8Array {
  const head = 13 + 3 * 2 ** (((gif[10] ?? 0) & 7) + 1);
  const subBlocks = (bytes: number[]) => [bytes.length, ...bytes, 0];
  return concat(
    gif.subarray(0, head),
    [0x21, 0xfe, ...subBlocks(ascii(`comment ${SECRET}`))],
    [0x21, 0xff, 11, ...ascii("XMP DataXMP"), ...subBlocks(ascii(xmp))],
    [0x21, 0x01, 12, ...new Array(12).fill(0), ...subBlocks(ascii(`caption ${SECRET}`))],
    gif.subarray(head),
  );
}
