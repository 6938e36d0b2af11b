import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { imageSizeProblem, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE, readImageHeader, sniffImage } from "#shared/image-header.ts";
import { encodePng } from "../../catalog/seed/png.ts";

const u16be = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const u16le = (n: number) => [n & 0xff, (n >> 8) & 0xff];
const u24le = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff];
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

// A JPEG's header as cameras write it: SOI, an APP0 segment, a fill byte, then the frame (SOF0) with the size.
const jpeg = (width: number, height: number, sof = 0xc0) =>
  new Uint8Array([
    0xff,
    0xd8,
    0xff,
    0xe0,
    ...u16be(16),
    ...ascii("JFIF"),
    0,
    1,
    1,
    0,
    0,
    1,
    0,
    1,
    0,
    0,
    0xff,
    0xff,
    sof,
    ...u16be(17),
    8,
    ...u16be(height),
    ...u16be(width),
    3,
    1,
    0x22,
    0,
    2,
    0x11,
    1,
    3,
    0x11,
    1,
  ]);
const gif = (width: number, height: number) => new Uint8Array([...ascii("GIF89a"), ...u16le(width), ...u16le(height), 0xf7, 0, 0]);
const riff = (chunk: string, payload: number[]) =>
  new Uint8Array([
    ...ascii("RIFF"),
    ...[0, 0, 0, 0],
    ...ascii("WEBP"),
    ...ascii(chunk),
    ...[0, 0, 0, 0],
    ...payload,
    ...new Array(16).fill(0),
  ]);
const vp8 = (w: number, h: number) => riff("VP8 ", [0x30, 0x01, 0x00, 0x9d, 0x01, 0x2a, ...u16le(w), ...u16le(h)]);
const vp8l = (w: number, h: number) => {
  const bits = (w - 1) | ((h - 1) << 14);
  return riff("VP8L", [0x2f, bits & 0xff, (bits >>> 8) & 0xff, (bits >>> 16) & 0xff, (bits >>> 24) & 0xff]);
};
const vp8x = (w: number, h: number) => riff("VP8X", [0x10, 0, 0, 0, ...u24le(w - 1), ...u24le(h - 1)]);

describe("readImageHeader", () => {
  it("reads type and size from the bytes of each format", async () => {
    expect(readImageHeader(await encodePng(37, 23, () => [1, 2, 3]))).toEqual({
      type: "image/png",
      extension: "png",
      width: 37,
      height: 23,
    });
    expect(readImageHeader(jpeg(640, 480))).toEqual({ type: "image/jpeg", extension: "jpg", width: 640, height: 480 });
    expect(readImageHeader(jpeg(1200, 800, 0xc2))).toMatchObject({ width: 1200, height: 800 }); // progressive
    expect(readImageHeader(gif(16, 9))).toEqual({ type: "image/gif", extension: "gif", width: 16, height: 9 });
    expect(readImageHeader(vp8(300, 200))).toEqual({ type: "image/webp", extension: "webp", width: 300, height: 200 });
    expect(readImageHeader(vp8l(1024, 768))).toMatchObject({ type: "image/webp", width: 1024, height: 768 });
    expect(readImageHeader(vp8x(4000, 3000))).toMatchObject({ type: "image/webp", width: 4000, height: 3000 });
  });

  it("refuses what is not an image, is cut short, or declares a giant canvas", async () => {
    const png = await encodePng(4, 4, () => [0, 0, 0]);
    const refused = [
      new Uint8Array(),
      new TextEncoder().encode("<svg xmlns='http://www.w3.org/2000/svg'/>"),
      new TextEncoder().encode("GIF is a nice format, says this text file"),
      png.subarray(0, 20),
      jpeg(10, 10, 0xc4).subarray(0, 24), // a Huffman table where the frame should be, then nothing
      new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0, 8, 0, 0, 0, 0, 0, 0]), // scan data before any frame
      gif(0, 10),
      jpeg(MAX_IMAGE_SIDE + 1, 10),
      vp8x(MAX_IMAGE_SIDE + 1, 5),
    ];
    for (const bytes of refused) expect(readImageHeader(bytes)).toBeNull();
  });

  it("bounds the pixel count, not only the sides: a long strip or a big square in a tiny file is refused", () => {
    expect(MAX_IMAGE_PIXELS).toBe(40_000_000);
    for (const [width, height] of [
      [8000, 6000],
      [20_000, 20_000],
      [1, 60_000],
    ] as const) {
      const file = jpeg(width, height);
      expect(file.length).toBeLessThan(100);
      expect(readImageHeader(file)).toBeNull();
      expect(sniffImage(file)).toMatchObject({ width, height }); // what it declares, for the refusal to name
      expect(imageSizeProblem({ width, height })).toMatch(/megapixels/);
    }
    expect(imageSizeProblem({ width: 8000, height: 6000 })).toBe(
      "the image is 8000×6000 px (48.0 megapixels): at most 40 megapixels and 20,000 px a side",
    );
    expect(readImageHeader(jpeg(8000, 5000))).toMatchObject({ width: 8000, height: 5000 });
    expect(readImageHeader(vp8x(20_000, 2000))).toMatchObject({ width: 20_000, height: 2000 });
    expect(readImageHeader(vp8x(20_000, 2001))).toBeNull();
  });

  it("never throws on any bytes, nor on any prefix of a valid file", async () => {
    const valid = [await encodePng(5, 7, () => [9, 9, 9]), jpeg(33, 44), gif(3, 3), vp8(8, 8), vp8l(9, 9), vp8x(10, 10)];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(), fc.nat(valid.length - 1), (noise, cut, which) => {
        readImageHeader(noise);
        const file = valid[which] ?? new Uint8Array();
        readImageHeader(file.subarray(0, cut % (file.length + 1)));
        const spliced = new Uint8Array(file);
        spliced.set(noise.subarray(0, Math.min(noise.length, spliced.length - 12)), 12);
        readImageHeader(spliced);
      }),
      { seed: 11, numRuns: 500 },
    );
  });
});
