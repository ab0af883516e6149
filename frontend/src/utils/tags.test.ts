import { describe, expect, it } from "vitest";
import { addTags, removeTag } from "./tags";

describe("tags", () => {
  it("adds trimmed, comma-separated tags without repeats or blanks", () => {
    expect(addTags(["a"], "  b , a,, c  ")).toEqual(["a", "b", "c"]);
    expect(addTags([], "   ")).toEqual([]);
    expect(addTags([], "two   words")).toEqual(["two words"]);
  });

  it("removes a tag", () => {
    expect(removeTag(["a", "b"], "a")).toEqual(["b"]);
  });
});
