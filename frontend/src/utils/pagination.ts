/** Page arithmetic for the article lists (1-based pages over the API's limit/offset). */
import { MAX_OFFSET } from "src/config";

/** Reads a `?page=` value: a positive integer, anything else is page 1. */
export function parsePage(raw: string | null | undefined): number {
  if (!raw || !/^\d{1,6}$/.test(raw)) return 1;
  const page = Number(raw);
  return page >= 1 ? page : 1;
}

/** The API's `limit`/`offset` for a page. */
export function pageToQuery(page: number, pageSize: number): { limit: number; offset: number } {
  const safePage = Number.isInteger(page) && page > 0 ? page : 1;
  return { limit: pageSize, offset: (safePage - 1) * pageSize };
}

/**
 * How many pages of `count` items can be shown (0 when there are none): those they fill, up to the
 * last page whose offset the API accepts (`maxOffset`), so that no page link is refused with a 422.
 */
export function pageCount(count: number, pageSize: number, maxOffset = MAX_OFFSET): number {
  if (count <= 0 || pageSize <= 0) return 0;
  return Math.min(Math.ceil(count / pageSize), Math.floor(maxOffset / pageSize) + 1);
}

/** A page link, or a gap between two runs of page links. */
export type PageSlot = { kind: "page"; page: number } | { kind: "gap"; key: string };

/**
 * The pages to show: always the first and last, and `radius` pages either side of the current one,
 * with a gap where pages are skipped. 1 2 [3] 4 5 … 40 for current=3, total=40, radius=2.
 */
export function pageSlots(current: number, total: number, radius = 2): PageSlot[] {
  if (total <= 1) return [];
  const wanted = new Set<number>([1, total]);
  for (let p = current - radius; p <= current + radius; p++) if (p >= 1 && p <= total) wanted.add(p);
  const pages = [...wanted].sort((a, b) => a - b);
  const slots: PageSlot[] = [];
  let previous = 0;
  for (const page of pages) {
    if (page - previous === 2) slots.push({ kind: "page", page: previous + 1 });
    else if (page - previous > 2) slots.push({ kind: "gap", key: `gap-${previous}` });
    slots.push({ kind: "page", page });
    previous = page;
  }
  return slots;
}
