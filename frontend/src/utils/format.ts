/** Display helpers. */
import { DEFAULT_AVATAR } from "src/config";

/** "January 20, 2026" (the readers' calendar, English month names like the Conduit design). */
export function formatDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleDateString("en-US", { year: "numeric", month: "long", day: "numeric" });
}

/** The user's image, or the default avatar when they have none. */
export function avatarUrl(image: string | null | undefined): string {
  return image && image.trim() ? image : DEFAULT_AVATAR;
}
