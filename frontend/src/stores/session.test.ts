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
    expect(get(session)).toMatchObject({ status: "anonymous", user: null, token: null });
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
    expect(get(session).status).toBe("checking");
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
    expect(get(session).status).toBe("anonymous");
    expect(localStorage.getItem("jwtToken")).toBeNull();
    expect(client.getAuthToken()).toBeNull();
  });

  it.each([
    ["a network error", () => HttpResponse.error()],
    ["a 500", () => apiError(500, { server: ["boom"] })],
    ["a 502 without the envelope", () => new HttpResponse("Bad gateway", { status: 502 })],
    ["a 400", () => apiError(400, { token: ["malformed"] })],
    ["a 403", () => apiError(403, { token: ["forbidden"] })],
    ["a 404", () => apiError(404, { user: ["not found"] })],
  ])("keeps the token and is 'unreachable' after %s from GET /user", async (_name, answer) => {
    localStorage.setItem("jwtToken", "stored");
    server.use(http.get(api("/user"), answer));
    const { initSession, session, publicAuthState } = await loadSession();
    await initSession();
    expect(get(session)).toMatchObject({ status: "unreachable", user: null, token: "stored", failures: 1 });
    expect(publicAuthState(get(session).status)).toBe("unavailable");
    expect(localStorage.getItem("jwtToken")).toBe("stored");
  });

  it("retries with backoff while unreachable and recovers by itself", async () => {
    const { vi } = await import("vitest");
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      localStorage.setItem("jwtToken", "stored");
      let calls = 0;
      server.use(
        http.get(api("/user"), () => {
          calls++;
          return calls < 3 ? apiError(503, { server: ["down"] }) : HttpResponse.json({ user: makeUser({ token: "stored" }) });
        }),
      );
      const { initSession, session } = await loadSession();
      await initSession();
      expect(get(session).status).toBe("unreachable");
      await vi.advanceTimersByTimeAsync(1_300); // first retry after ~1 s
      expect(calls).toBe(2);
      expect(get(session)).toMatchObject({ status: "unreachable", failures: 2 });
      await vi.advanceTimersByTimeAsync(1_000); // the second waits ~2 s
      expect(calls).toBe(2);
      await vi.advanceTimersByTimeAsync(1_500);
      expect(calls).toBe(3);
      expect(get(session)).toMatchObject({ status: "authenticated", failures: 0 });
    } finally {
      vi.useRealTimers();
    }
  });

  it("lets no other request out before GET /user has answered", async () => {
    localStorage.setItem("jwtToken", "stale");
    const seen: string[] = [];
    server.use(
      http.get(api("/user"), async () => {
        seen.push("user");
        await new Promise((r) => setTimeout(r, 30));
        return apiError(401, { token: ["has expired"] });
      }),
      http.get(api("/tags"), ({ request }) => {
        seen.push(`tags ${request.headers.get("Authorization") ?? "anonymous"}`);
        return HttpResponse.json({ tags: [] });
      }),
    );
    const { initSession, session, client } = await loadSession();
    const checked = initSession();
    const tags = client.request(() => client.client.GET("/tags"));
    await Promise.all([checked, tags]);
    expect(seen).toEqual(["user", "tags anonymous"]);
    expect(get(session).status).toBe("anonymous");
  });

  it("signs in, persists the token, and signs out", async () => {
    server.use(http.post(api("/users/login"), () => HttpResponse.json({ user: makeUser() })));
    const { login, logout, session } = await loadSession();
    await login("jake@example.com", "password123");
    expect(get(session).status).toBe("authenticated");
    expect(localStorage.getItem("jwtToken")).toBe("token-jake");
    logout();
    expect(get(session).status).toBe("anonymous");
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
    expect(get(session).status).toBe("anonymous");
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
    expect(get(session).status).toBe("anonymous");
  });

  it("asks GET /user after another request's 401, and signs out only when GET /user says 401", async () => {
    let userAnswer = 200;
    server.use(
      http.post(api("/users/login"), () => HttpResponse.json({ user: makeUser() })),
      http.post(api("/articles"), () => apiError(401, { token: ["is invalid"] })),
      http.get(api("/user"), () =>
        userAnswer === 200 ? HttpResponse.json({ user: makeUser() }) : apiError(401, { token: ["has expired"] }),
      ),
    );
    const { login, session, client } = await loadSession();
    await login("jake@example.com", "password123");
    const write = () =>
      client
        .request(() => client.client.POST("/articles", { body: { article: { title: "t", description: "d", body: "b" } } }))
        .catch(() => undefined);
    await write();
    await new Promise((r) => setTimeout(r, 20));
    expect(get(session).status).toBe("authenticated"); // GET /user still accepts the token

    userAnswer = 401;
    await write();
    await new Promise((r) => setTimeout(r, 20));
    expect(get(session)).toMatchObject({ status: "anonymous", expiredAt: "/" });
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
