/** Registration, login and the signed-in user. Every answer carries a fresh token. */
import { client, request } from "./client";
import type { User, UserUpdateRequest } from "./client";

export async function login(email: string, password: string): Promise<User> {
  const data = await request(() => client.POST("/users/login", { body: { user: { email, password } } }));
  return data.user;
}

export async function register(username: string, email: string, password: string): Promise<User> {
  const data = await request(() => client.POST("/users", { body: { user: { username, email, password } } }));
  return data.user;
}

export async function currentUser(): Promise<User> {
  const data = await request(() => client.GET("/user"));
  return data.user;
}

export async function updateUser(user: UserUpdateRequest): Promise<User> {
  const data = await request(() => client.PUT("/user", { body: { user } }));
  return data.user;
}
