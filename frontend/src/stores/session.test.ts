import { beforeEach, describe, expect, it } from "vitest";
import { get } from "svelte/store";
import { makeUser } from "src/test/fixtures";
import { api, apiError, http, HttpResponse, server } from "src/test/server";

// The session is a module singleton: each test gets fresh modules.
async function loadSession() {
  const session = await import("./session");
  const client = await import("src/api/client");
  return { ...session, client };
}

beforeEach(async () => {
  const { vi } = await import("vitest");
  vi.resetModules();
});

describe("session", () => {
  it("is signed out when no token is stored", async () => {
    const { initSession, session } = await loadSession();
    await initSession();
    expect(get(session)).toEqual({ status: "unauthenticated", user: null, token: null });
  });

  it("restores the user from the stored token and keeps the fresh token", async () => {
    localStorage.setItem("jwtToken", "stored");
    let auth: string | null = null;
    server.use(
      http.get(api("/user"), ({ request }) => {
        auth = request.headers.get("Authorization");
        return HttpResponse.json({ user: makeUser({ token: "fresh" }) });
      }),
    );
    const { initSession, session, client } = await loadSession();
    const pending = initSession();
    expect(get(session).status).toBe("loading");
    await pending;
    expect(auth).toBe("Token stored");
    expect(get(session).status).toBe("authenticated");
    expect(get(session).user?.username).toBe("jake");
    expect(localStorage.getItem("jwtToken")).toBe("fresh");
    expect(client.getAuthToken()).toBe("fresh");
  });

  it("drops a stored token that the API rejects", async () => {
    localStorage.setItem("jwtToken", "expired");
    server.use(http.get(api("/user"), () => apiError(401, { token: ["is invalid"] })));
    const { initSession, session, client } = await loadSession();
    await initSession();
    expect(get(session).status).toBe("unauthenticated");
    expect(localStorage.getItem("jwtToken")).toBeNull();
    expect(client.getAuthToken()).toBeNull();
  });

  it("keeps the token but reports 'unavailable' when the API cannot be reached", async () => {
    localStorage.setItem("jwtToken", "stored");
    server.use(http.get(api("/user"), () => HttpResponse.error()));
    const { initSession, session } = await loadSession();
    await initSession();
    expect(get(session)).toMatchObject({ status: "unavailable", user: null, token: "stored" });
    expect(localStorage.getItem("jwtToken")).toBe("stored");
  });

  it("signs in, persists the token, and signs out", async () => {
    server.use(http.post(api("/users/login"), () => HttpResponse.json({ user: makeUser() })));
    const { login, logout, session } = await loadSession();
    await login("jake@example.com", "password123");
    expect(get(session).status).toBe("authenticated");
    expect(localStorage.getItem("jwtToken")).toBe("token-jake");
    logout();
    expect(get(session).status).toBe("unauthenticated");
    expect(localStorage.getItem("jwtToken")).toBeNull();
  });

  it("signs out everywhere: the API revokes every token, then this client forgets its own", async () => {
    let revokedWith: string | null = null;
    server.use(
      http.post(api("/users/login"), () => HttpResponse.json({ user: makeUser() })),
      http.post(api("/user/revoke-tokens"), ({ request }) => {
        revokedWith = request.headers.get("Authorization");
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const { login, logoutEverywhere, session } = await loadSession();
    await login("jake@example.com", "password123");
    await logoutEverywhere();
    expect(revokedWith).toBe("Token token-jake");
    expect(get(session).status).toBe("unauthenticated");
    expect(localStorage.getItem("jwtToken")).toBeNull();
  });

  it("stays signed in when signing out everywhere fails", async () => {
    server.use(
      http.post(api("/users/login"), () => HttpResponse.json({ user: makeUser() })),
      http.post(api("/user/revoke-tokens"), () => HttpResponse.error()),
    );
    const { login, logoutEverywhere, session } = await loadSession();
    await login("jake@example.com", "password123");
    await expect(logoutEverywhere()).rejects.toBeTruthy();
    expect(get(session).status).toBe("authenticated");
  });

  it("surfaces the API's field errors on a failed sign-up and stays signed out", async () => {
    server.use(http.post(api("/users"), () => apiError(409, { username: ["has already been taken"] })));
    const { initSession, register, session, client } = await loadSession();
    await initSession();
    const failure = await register("jake", "jake@example.com", "password123").catch((e: unknown) => e);
    expect(client.isApiError(failure) && failure.messages).toEqual(["username has already been taken"]);
    expect(get(session).status).toBe("unauthenticated");
  });

  it("signs out when a later call is answered 401", async () => {
    server.use(
      http.post(api("/users/login"), () => HttpResponse.json({ user: makeUser() })),
      http.post(api("/articles"), () => apiError(401, { token: ["is invalid"] })),
    );
    const { login, session, client } = await loadSession();
    await login("jake@example.com", "password123");
    await client
      .request(() => client.client.POST("/articles", { body: { article: { title: "t", description: "d", body: "b" } } }))
      .catch(() => undefined);
    expect(get(session).status).toBe("unauthenticated");
    expect(localStorage.getItem("jwtToken")).toBeNull();
  });

  it("does not send an empty password when saving settings", async () => {
    let sent: unknown = null;
    server.use(
      http.post(api("/users/login"), () => HttpResponse.json({ user: makeUser() })),
      http.put(api("/user"), async ({ request }) => {
        sent = await request.json();
        return HttpResponse.json({ user: makeUser({ bio: "Hi", token: "newer" }) });
      }),
    );
    const { login, updateSettings, session } = await loadSession();
    await login("jake@example.com", "password123");
    await updateSettings({ bio: "Hi", password: "" });
    expect(sent).toEqual({ user: { bio: "Hi" } });
    expect(get(session).user?.bio).toBe("Hi");
    expect(localStorage.getItem("jwtToken")).toBe("newer");
  });
});
