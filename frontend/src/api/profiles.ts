/** Profiles and follows. */
import { client, request } from "./client";
import type { Profile } from "./client";

export async function getProfile(username: string): Promise<Profile> {
  const data = await request(() => client.GET("/profiles/{username}", { params: { path: { username } } }));
  return data.profile;
}

/** Follows (`on`) or unfollows a user; returns the profile as the API now sees it. */
export async function setFollowing(username: string, on: boolean): Promise<Profile> {
  const init = { params: { path: { username } } };
  const data = await request(() =>
    on ? client.POST("/profiles/{username}/follow", init) : client.DELETE("/profiles/{username}/follow", init),
  );
  return data.profile;
}
