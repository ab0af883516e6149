/** Popular tags. */
import { client, request } from "./client";

export async function listTags(): Promise<string[]> {
  const data = await request(() => client.GET("/tags"));
  return data.tags;
}
