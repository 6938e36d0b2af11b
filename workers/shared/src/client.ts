// Who a per-client limit counts. Cloudflare sets CF-Connecting-IP at the edge (locally the request's own
// header, 127.0.0.1 when absent). One IPv6 subscriber usually holds a whole /64, so IPv6 counts by /64:
// otherwise a single machine could rotate through 2^64 addresses and never meet a limit.
export const CLIENT_IP_HEADER = "CF-Connecting-IP";
const LOCAL = "127.0.0.1";

function ipv4(text: string): string | null {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return null;
  return parts.map(Number).join(".");
}

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail included), or null. */
function ipv6Groups(text: string): number[] | null {
  if (!/^[0-9a-fA-F:.]{2,45}$/.test(text)) return null;
  let head = text;
  const tail: number[] = [];
  if (text.includes(".")) {
    const at = text.lastIndexOf(":");
    const v4 = at < 0 ? null : ipv4(text.slice(at + 1));
    if (v4 === null) return null;
    const [a = 0, b = 0, c = 0, d = 0] = v4.split(".").map(Number);
    tail.push((a << 8) | b, (c << 8) | d);
    // "::ffff:" → "::ffff", "1:2:3:4:5:6:" → "1:2:3:4:5:6", but "::" stays "::".
    head = text.slice(0, at + 1);
    if (!head.endsWith("::")) head = head.slice(0, -1);
  }
  const halves = head.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string): number[] | null => {
    if (part === "") return [];
    const groups = part.split(":");
    if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return null;
    return groups.map((g) => Number.parseInt(g, 16));
  };
  const left = parse(halves[0] ?? "");
  const right = halves.length === 2 ? parse(halves[1] ?? "") : [];
  if (left === null || right === null) return null;
  const given = left.length + right.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return null;
  return [...left, ...Array<number>(8 - given).fill(0), ...right, ...tail];
}

/** The key a per-client limit counts under: `ip4:a.b.c.d`, or `ip6:<first four groups>::/64`. */
export function clientKey(address: string | null | undefined): string {
  const text = (address ?? LOCAL).trim() || LOCAL;
  const v4 = ipv4(text);
  if (v4 !== null) return `ip4:${v4}`;
  const groups = ipv6Groups(text);
  if (groups === null) return `other:${text.slice(0, 64)}`;
  // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 client it maps.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi = 0, lo = 0] = groups.slice(6);
    return `ip4:${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return `ip6:${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(":")}::/64`;
}
