import { describe, expect, it } from "vitest";
import { MAX_OFFSET } from "src/config";
import { pageCount, pageSlots, pageToQuery, parsePage } from "./pagination";

describe("parsePage", () => {
  it.each([
    [null, 1],
    ["", 1],
    ["1", 1],
    ["7", 7],
    ["0", 1],
    ["-2", 1],
    ["2.5", 1],
    ["abc", 1],
    ["99999999999", 1],
  ])("%s -> %i", (raw, page) => expect(parsePage(raw)).toBe(page));
});

describe("pageToQuery / pageCount", () => {
  it("maps 1-based pages to limit/offset", () => {
    expect(pageToQuery(1, 10)).toEqual({ limit: 10, offset: 0 });
    expect(pageToQuery(3, 10)).toEqual({ limit: 10, offset: 20 });
    expect(pageToQuery(0, 10)).toEqual({ limit: 10, offset: 0 });
  });

  it("counts pages", () => {
    expect(pageCount(0, 10)).toBe(0);
    expect(pageCount(1, 10)).toBe(1);
    expect(pageCount(10, 10)).toBe(1);
    expect(pageCount(11, 10)).toBe(2);
  });

  it("never counts a page whose offset the API refuses", () => {
    // Ref: #9: offsets beyond the API's PAGINATION_MAX_OFFSET are a 422.
    expect(pageCount(1000, 10, 1000)).toBe(100);
    expect(pageCount(1001, 10, 1000)).toBe(101); // offset 1000: the last one accepted
    expect(pageCount(1_000_000, 10, 1000)).toBe(101);
    expect(pageCount(1_000_000, 20, 1000)).toBe(51);
    expect(pageToQuery(pageCount(1_000_000, 10), 10).offset).toBe(MAX_OFFSET);
    expect(pageCount(1_000_000, 7, 1000)).toBe(143); // offset 994; page 144 would be 1001
    expect(pageToQuery(143, 7).offset).toBeLessThanOrEqual(1000);
  });
});

describe("pageSlots", () => {
  const render = (current: number, total: number) =>
    pageSlots(current, total)
      .map((s) => (s.kind === "page" ? String(s.page) : "…"))
      .join(" ");

  it("shows nothing for a single page", () => {
    expect(pageSlots(1, 1)).toEqual([]);
    expect(pageSlots(1, 0)).toEqual([]);
  });

  it("shows every page of a short list", () => {
    expect(render(1, 3)).toBe("1 2 3");
    expect(render(3, 5)).toBe("1 2 3 4 5");
  });

  it("elides long runs but never a single page", () => {
    expect(render(1, 40)).toBe("1 2 3 … 40");
    expect(render(20, 40)).toBe("1 … 18 19 20 21 22 … 40");
    expect(render(4, 40)).toBe("1 2 3 4 5 6 … 40");
    expect(render(40, 40)).toBe("1 … 38 39 40");
  });
});
