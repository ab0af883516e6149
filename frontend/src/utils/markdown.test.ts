// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./markdown";

function parse(html: string): HTMLElement {
  const root = document.createElement("div");
  root.innerHTML = html;
  return root;
}

describe("renderMarkdown", () => {
  it("renders Markdown", () => {
    const root = parse(renderMarkdown("# Title\n\nSome **bold** text and `code`.\n\n- a\n- b"));
    expect(root.querySelector("h1")?.textContent).toBe("Title");
    expect(root.querySelector("strong")?.textContent).toBe("bold");
    expect(root.querySelectorAll("li")).toHaveLength(2);
  });

  it("removes script elements", () => {
    const html = renderMarkdown('Hello <script>window.pwned = true</script>\n\n<script src="https://evil.test/x.js"></script>');
    expect(parse(html).querySelector("script")).toBeNull();
    expect(html).not.toContain("pwned");
  });

  it("removes event-handler attributes", () => {
    const html = renderMarkdown('<img src="x" onerror="window.pwned = 1"> <svg onload="alert(1)"></svg> <a href="#" onclick="x()">a</a>');
    const root = parse(html);
    for (const element of root.querySelectorAll("*")) {
      for (const attribute of element.attributes) expect(attribute.name.startsWith("on")).toBe(false);
    }
    expect(html).not.toMatch(/onerror|onload|onclick/i);
  });

  it("removes javascript: links and embeds", () => {
    const root = parse(
      renderMarkdown('[click](javascript:alert(1)) <a href="JaVaScRiPt:alert(2)">x</a> <iframe src="https://evil.test"></iframe> <object data="x"></object>'),
    );
    for (const a of root.querySelectorAll("a")) expect(a.getAttribute("href") ?? "").not.toMatch(/javascript:/i);
    expect(root.querySelector("iframe, object, embed")).toBeNull();
  });

  it("drops forms and inline styles", () => {
    const root = parse(renderMarkdown('<form action="https://evil.test"><input name="p"></form><p style="position:fixed">x</p>'));
    expect(root.querySelector("form, input")).toBeNull();
    expect(root.querySelector("[style]")).toBeNull();
  });

  it("opens author links in a new tab without an opener", () => {
    const link = parse(renderMarkdown("[site](https://example.com)")).querySelector("a");
    expect(link?.getAttribute("href")).toBe("https://example.com");
    expect(link?.getAttribute("target")).toBe("_blank");
    expect(link?.getAttribute("rel")).toContain("noopener");
  });
});
