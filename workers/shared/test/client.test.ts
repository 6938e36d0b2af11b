import { describe, expect, it } from "vitest";
import { clientKey } from "#shared/client.ts";

describe("clientKey", () => {
  it("counts IPv4 clients by address, and a missing address as the local one", () => {
    expect(clientKey("203.0.113.7")).toBe("ip4:203.0.113.7");
    expect(clientKey(undefined)).toBe("ip4:127.0.0.1");
    expect(clientKey("")).toBe("ip4:127.0.0.1");
  });

  it("counts IPv6 clients by /64, however the address is written", () => {
    const key = "ip6:2001:db8:85a3:0::/64";
    expect(clientKey("2001:db8:85a3::8a2e:370:7334")).toBe(key);
    expect(clientKey("2001:0db8:85a3:0000:0000:8a2e:0370:7334")).toBe(key);
    expect(clientKey("2001:db8:85a3:0:ffff:ffff:ffff:ffff")).toBe(key);
    expect(clientKey("2001:db8:85a3:1::1")).not.toBe(key);
    expect(clientKey("::1")).toBe("ip6:0:0:0:0::/64");
  });

  it("treats an IPv4-mapped IPv6 address as the IPv4 client", () => {
    expect(clientKey("::ffff:198.51.100.4")).toBe("ip4:198.51.100.4");
    expect(clientKey("::ffff:c633:6404")).toBe("ip4:198.51.100.4");
  });

  it("keeps anything else apart, bounded in length", () => {
    expect(clientKey("not an address")).toBe("other:not an address");
    expect(clientKey("1.2.3.999")).toBe("other:1.2.3.999");
    expect(clientKey("1::2::3")).toBe("other:1::2::3");
    expect(clientKey("x".repeat(500))).toHaveLength("other:".length + 64);
  });
});
