/** Registration, login and the signed-in user. Every answer carries a fresh token. */
import { client, request } from "./client";
import { idempotencyKey, idempotencyKeyUsed } from "./idempotency";
import type { User, UserUpdateRequest } from "./client";

export async function login(email: string, password: string): Promise<User> {
  const data = await request(() => client.POST("/users/login", { body: { user: { email, password } } }));
  return data.user;
}

export async function register(username: string, email: string, password: string): Promise<User> {
  const body = { user: { username, email, password } };
  const header = { "Idempotency-Key": idempotencyKey("users_register", body) };
  const data = await request(() => client.POST("/users", { params: { header }, body }));
  idempotencyKeyUsed("users_register");
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

/** Signs out everywhere: the API revokes every token of the user, the one sending this included. */
export async function revokeTokens(): Promise<void> {
  await request(() => client.POST("/user/revoke-tokens"));
}
