/**
 * Markdown to safe HTML: marked renders, DOMPurify removes scripts, event handlers, `javascript:`
 * URLs and anything else that could run code. Loaded lazily (only the article page needs it).
 */
import DOMPurify from "dompurify";
import { marked } from "marked";

let hooked = false;

function addLinkHook(): void {
  if (hooked) return;
  hooked = true;
  // Links written by authors open in a new tab without handing over `window.opener`.
  DOMPurify.addHook("afterSanitizeAttributes", (node) => {
    if (node.tagName === "A" && node.hasAttribute("href")) {
      node.setAttribute("target", "_blank");
      node.setAttribute("rel", "noopener noreferrer nofollow");
    }
  });
}

export function renderMarkdown(source: string): string {
  addLinkHook();
  const html = marked.parse(source, { async: false, gfm: true, breaks: false });
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select"],
    FORBID_ATTR: ["style"],
  });
}
