// Protects the bound on URL parsing work: hosts whose IDNA conversion would take long (punycode is
// about non-ASCII x length per label) are refused before the parser sees them, wherever the parser
// would find the host; long paths, queries, userinfo and opaque hosts are not, and everything the
// bound lets through parses quickly.
import { describe, expect, it } from "vitest";
import { MAX_URL_LENGTH, urlTooCostly } from "../../runtime/src/url-limits";

const cjk = (n: number) =>
  Array.from({ length: n }, (_, i) => String.fromCodePoint(0x4e00 + (i % 20000))).join("");

/** The slowest of three parses, in ms (whether it throws or not). */
function parseMs(url: string): number {
  let worst = 0;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    try {
      new URL(url);
    } catch {}
    worst = Math.max(worst, performance.now() - t);
  }
  return worst;
}

describe("urlTooCostly", () => {
  it.each([
    ["a 64K-character IDN host", `http://${cjk(65_000)}/`],
    ["2,048 CJK and 60,000 ASCII in one label", `http://${cjk(2048)}${"a".repeat(60_000)}/`],
    ["a percent-encoded IDN host", `https://${encodeURIComponent(cjk(2000))}/`],
    ["a scheme-relative costly host", `//${cjk(3000)}/`],
    ["a backslashed, upper-case, tab-split scheme", `\tHT\tTP:\\\\${cjk(3000)}`],
    ["a costly host after userinfo", `http://user:pw@${cjk(3000)}:8080/x`],
    ["1,000 labels of 63 CJK characters", `http://${Array.from({ length: 1000 }, () => cjk(63)).join(".")}/`],
    ["a URL over the length cap", `http://example.com/${"a".repeat(MAX_URL_LENGTH)}`],
  ])("refuses %s", (_label, url) => {
    expect(urlTooCostly(url)).toBeDefined();
  });

  it.each([
    ["an ordinary IDN", "https://例え.テスト/パス?q=値#frag"],
    ["3,000 CJK characters in the path", `https://example.com/${cjk(3000)}`],
    ["a percent-encoded 3,000-character query", `https://example.com/?q=${encodeURIComponent(cjk(3000))}`],
    ["non-ASCII userinfo", `http://${cjk(3000)}@example.com/`],
    ["an opaque host", `foo://${cjk(3000)}/`],
    ["a relative path", `${cjk(3000)}/x`],
    ["IDN labels of 63 characters", `http://${[cjk(63), cjk(63), cjk(63)].join(".")}/`],
  ])("lets through %s, which parses quickly", (_label, url) => {
    expect(urlTooCostly(url)).toBeUndefined();
    expect(parseMs(url)).toBeLessThan(50);
  });

  it("checks a host given alone (the host setters) as a host", () => {
    expect(urlTooCostly(cjk(3000), true)).toBeDefined();
    expect(urlTooCostly(cjk(3000), false)).toBeUndefined();
  });
});
