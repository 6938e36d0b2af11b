import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ImageHeader, readImageHeader } from "#shared/image-header.ts";
import { type Stripped, stripImageMetadata } from "#shared/image-metadata.ts";
import { encodePng, pngChunk } from "../../catalog/seed/png.ts";
import {
  ADOBE_SEGMENT,
  ANIMATED_GIF,
  ascii,
  BASELINE_JPEG,
  concat,
  contains,
  exifSegment,
  gifWithMetadata,
  gpsTiff,
  ICC_SEGMENT,
  JFIF_WITH_THUMBNAIL,
  jpegWithMetadata,
  LOSSLESS_WEBP,
  LOSSY_WEBP,
  PROGRESSIVE_JPEG,
  pngWithMetadata,
  SECRET,
  vp8xOf,
  webpChunks,
  webpOf,
  XMP_PACKET,
} from "./image-fixtures.ts";

const strip = (bytes: Uint8Array): Uint8Array => {
  const type = readImageHeader(bytes)?.type;
  if (type === undefined) throw new Error("not an image");
  const out: Stripped = stripImageMetadata(bytes, type);
  if ("damaged" in out) throw new Error(out.damaged);
  return out.bytes;
};
const sizeOf = (bytes: Uint8Array): Pick<ImageHeader, "type" | "width" | "height"> | undefined => {
  const h = readImageHeader(bytes);
  return h === null ? undefined : { type: h.type, width: h.width, height: h.height };
};
/** The JPEG markers of a file in order (up to its first scan). */
const markers = (jpeg: Uint8Array): number[] => {
  const out: number[] = [];
  for (let at = 2; at + 4 <= jpeg.length && jpeg[at] === 0xff; ) {
    const marker = jpeg[at + 1] ?? 0;
    out.push(marker);
    if (marker === 0xda) break;
    at += 2 + (((jpeg[at + 2] ?? 0) << 8) | (jpeg[at + 3] ?? 0));
  }
  return out;
};

describe("stripImageMetadata: JPEG", () => {
  it("drops EXIF with GPS, XMP, IPTC, comments, the multi-picture index and the trailer; keeps ICC, Adobe and every pixel byte", () => {
    const planted = jpegWithMetadata(BASELINE_JPEG);
    expect(contains(planted, SECRET) && contains(planted, "Exif")).toBe(true);
    const out = strip(planted);
    // Exactly the original around the two segments decoding needs: no byte of the picture changed or lost.
    expect(out).toEqual(concat(BASELINE_JPEG.subarray(0, 2), ICC_SEGMENT, ADOBE_SEGMENT, BASELINE_JPEG.subarray(2)));
    for (const gone of [SECRET, "Exif", "GPS", "http://ns.adobe.com", "Photoshop", "MPF"])
      expect([gone, contains(out, gone)]).toEqual([gone, false]);
    expect(sizeOf(out)).toEqual(sizeOf(planted));
    expect(markers(out)).not.toContain(0xe1);
    expect(markers(out)).not.toContain(0xfe);
  });

  it("keeps a progressive JPEG's scans and the tables between them as they are", () => {
    expect(strip(jpegWithMetadata(PROGRESSIVE_JPEG)).subarray(2 + ICC_SEGMENT.length + ADOBE_SEGMENT.length)).toEqual(
      PROGRESSIVE_JPEG.subarray(2),
    );
    expect(strip(PROGRESSIVE_JPEG)).toEqual(PROGRESSIVE_JPEG); // nothing to drop: nothing changes
  });

  it("keeps a turned photo's orientation, alone: the rest of its EXIF (GPS, camera) goes, in either byte order", () => {
    for (const little of [false, true]) {
      const out = strip(jpegWithMetadata(BASELINE_JPEG, gpsTiff({ orientation: 6, little })));
      expect(markers(out).filter((m) => m === 0xe1)).toHaveLength(1);
      expect(contains(out, SECRET) || contains(out, "Spy")).toBe(false);
      // One IFD entry, Orientation (0x0112) = 6, and no pointer to a GPS IFD (tag 0x8825).
      const exif = out.subarray(out.indexOf(0xe1) - 1, out.indexOf(0xe1) - 1 + 36);
      expect(exif).toEqual(
        exifSegment(new Uint8Array([...ascii("MM\0*"), 0, 0, 0, 8, 0, 1, 1, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0])),
      );
      expect(contains(out, [0x88, 0x25])).toBe(false);
    }
    // Upright (1) needs no EXIF at all.
    expect(markers(strip(jpegWithMetadata(BASELINE_JPEG, gpsTiff({ orientation: 1 }))))).not.toContain(0xe1);
  });

  it("drops the JFIF thumbnail (it can show the uncropped original) and keeps the JFIF header", () => {
    const withThumb = concat(BASELINE_JPEG.subarray(0, 2), JFIF_WITH_THUMBNAIL, BASELINE_JPEG.subarray(2));
    const out = strip(withThumb);
    expect(contains(out, "THM")).toBe(false);
    expect(out.subarray(2, 20)).toEqual(new Uint8Array([0xff, 0xe0, 0, 16, ...ascii("JFIF\0"), 1, 1, 0, 0, 1, 0, 1, 0, 0]));
    expect(sizeOf(out)).toEqual({ type: "image/jpeg", width: 16, height: 8 });
  });

  it("refuses a JPEG whose segments cannot be followed, rather than store what it may hide", () => {
    const cut = jpegWithMetadata(BASELINE_JPEG).subarray(0, 30); // inside the EXIF segment
    expect(stripImageMetadata(cut, "image/jpeg")).toMatchObject({ damaged: expect.stringContaining("cut short") });
    const junk = concat(BASELINE_JPEG.subarray(0, 20), ascii("junk"), BASELINE_JPEG.subarray(20));
    expect(stripImageMetadata(junk, "image/jpeg")).toHaveProperty("damaged");
  });
});

describe("stripImageMetadata: PNG", () => {
  it("drops text, EXIF, time and private chunks and what follows IEND; keeps the image and how it looks", async () => {
    const png = await encodePng(16, 8, (x, y) => [x * 16, y * 32, 99]);
    const planted = pngWithMetadata(png);
    const out = strip(planted);
    expect(out).toEqual(png);
    for (const gone of [SECRET, "tEXt", "zTXt", "iTXt", "eXIf", "tIME", "prVt"]) expect([gone, contains(out, gone)]).toEqual([gone, false]);
    expect(sizeOf(out)).toEqual({ type: "image/png", width: 16, height: 8 });
  });

  it("keeps the chunks that change how the pixels look (gamma, density, transparency)", async () => {
    const png = await encodePng(4, 4, () => [1, 2, 3]);
    const look = [
      pngChunk("gAMA", new Uint8Array([0, 0, 0xb1, 0x8f])),
      pngChunk("pHYs", new Uint8Array(9)),
      pngChunk("tRNS", new Uint8Array(6)),
    ];
    const withLook = concat(png.subarray(0, 33), ...look, png.subarray(33));
    expect(strip(withLook)).toEqual(withLook);
  });
});

describe("stripImageMetadata: WebP", () => {
  it("drops EXIF and XMP chunks and clears their flags; keeps the ICC profile and the image; fixes the RIFF size", () => {
    const [[, vp8] = ["", new Uint8Array()]] = webpChunks(LOSSY_WEBP);
    const icc = ascii("a colour profile");
    const planted = webpOf([
      ["VP8X", vp8xOf(0x20 | 0x08 | 0x04, 16, 8)],
      ["ICCP", icc],
      ["VP8 ", vp8],
      ["EXIF", gpsTiff({ little: true })],
      ["XMP ", XMP_PACKET],
      ["jUnK", ascii(`private ${SECRET}`)],
    ]);
    const out = strip(planted);
    expect(out).toEqual(
      webpOf([
        ["VP8X", vp8xOf(0x20, 16, 8)],
        ["ICCP", icc],
        ["VP8 ", vp8],
      ]),
    );
    expect(new DataView(out.buffer, out.byteOffset).getUint32(4, true)).toBe(out.length - 8);
    expect(contains(out, SECRET) || contains(out, "EXIF") || contains(out, "XMP")).toBe(false);
    expect(sizeOf(out)).toEqual({ type: "image/webp", width: 16, height: 8 });
  });

  it("leaves a plain WebP as it is, and drops bytes after the RIFF", () => {
    expect(strip(LOSSY_WEBP)).toEqual(LOSSY_WEBP);
    expect(strip(concat(LOSSLESS_WEBP, ascii(`tail ${SECRET}`)))).toEqual(LOSSLESS_WEBP);
  });
});

describe("stripImageMetadata: GIF", () => {
  it("drops comments, plain text and XMP blocks; keeps both frames, their timing and the loop", () => {
    const out = strip(gifWithMetadata(ANIMATED_GIF));
    expect(out).toEqual(ANIMATED_GIF);
    expect(strip(concat(ANIMATED_GIF, ascii(`after the trailer ${SECRET}`)))).toEqual(ANIMATED_GIF);
  });
});

describe("stripImageMetadata: any input", () => {
  it("never throws on any prefix or splice of a planted file, and no prefix lets a planted secret through", async () => {
    const planted = [
      jpegWithMetadata(BASELINE_JPEG),
      jpegWithMetadata(PROGRESSIVE_JPEG, gpsTiff({ orientation: 8, little: true })),
      pngWithMetadata(await encodePng(5, 7, () => [9, 9, 9])),
      gifWithMetadata(ANIMATED_GIF),
      webpOf([
        ["VP8X", vp8xOf(0x0c, 16, 8)],
        ["VP8L", webpChunks(LOSSLESS_WEBP)[0]?.[1] ?? []],
        ["EXIF", gpsTiff()],
      ]),
    ];
    fc.assert(
      fc.property(fc.nat(planted.length - 1), fc.nat(), fc.uint8Array({ maxLength: 16 }), fc.nat(), (which, cut, noise, at) => {
        const file = planted[which] ?? new Uint8Array();
        const type = readImageHeader(file)?.type ?? "image/jpeg";
        const prefix = file.subarray(0, cut % (file.length + 1));
        const spliced = new Uint8Array(file);
        spliced.set(noise.subarray(0, Math.max(0, spliced.length - 12 - (at % 64))), 12 + (at % 64));
        const cutShort = stripImageMetadata(prefix, type);
        if ("bytes" in cutShort) expect(contains(cutShort.bytes, SECRET)).toBe(false);
        // Noise can turn a metadata segment into one that decoding needs: only "no throw" can be promised there.
        stripImageMetadata(spliced, type);
      }),
      { seed: 21, numRuns: 800 },
    );
  });

  it("is idempotent: stripping what was stripped changes nothing", async () => {
    for (const file of [
      jpegWithMetadata(BASELINE_JPEG, gpsTiff({ orientation: 3 })),
      pngWithMetadata(await encodePng(3, 3, () => [0, 0, 0])),
      gifWithMetadata(ANIMATED_GIF),
    ]) {
      const once = strip(file);
      expect(strip(once)).toEqual(once);
    }
  });
});
