/** Tag input helpers for the editor. */

/** Adds the tags typed in `raw` (comma separated) to `tags`: trimmed, without blanks or repeats. */
export function addTags(tags: readonly string[], raw: string): string[] {
  const next = [...tags];
  for (const candidate of raw.split(",")) {
    const tag = candidate.trim().replace(/\s+/g, " ");
    if (tag && !next.includes(tag)) next.push(tag);
  }
  return next;
}

export function removeTag(tags: readonly string[], tag: string): string[] {
  return tags.filter((t) => t !== tag);
}
