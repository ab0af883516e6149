import { afterEach, describe, expect, it, vi } from "vitest";
import { makeArticle, makeUser } from "src/test/fixtures";
import { api, apiError, http, HttpResponse, server } from "src/test/server";
import {
  ApiError,
  client,
  errorMessages,
  formatErrors,
  holdRequestsUntil,
  onTokenRejected,
  request,
  setAuthToken,
} from "./client";

afterEach(() => setAuthToken(null));

describe("request", () => {
  it("returns the data of a 2xx answer", async () => {
    server.use(http.get(api("/articles/:slug"), () => HttpResponse.json({ article: makeArticle() })));
    const data = await request(() => client.GET("/articles/{slug}", { params: { path: { slug: "x" } } }));
    expect(data.article.title).toBe("How to train your dragon");
  });

  it("sends the token as `Authorization: Token <jwt>` only when there is one", async () => {
    const seen: (string | null)[] = [];
    server.use(
      http.get(api("/tags"), ({ request: req }) => {
        seen.push(req.headers.get("Authorization"));
        return HttpResponse.json({ tags: [] });
      }),
    );
    await request(() => client.GET("/tags"));
    setAuthToken("abc");
    await request(() => client.GET("/tags"));
    expect(seen).toEqual([null, "Token abc"]);
  });

  it("turns the API's error envelope into an ApiError with field messages", async () => {
    server.use(http.post(api("/users"), () => apiError(422, { email: ["can't be blank"], password: ["is too short"] })));
    const failure = await request(() =>
      client.POST("/users", { body: { user: { username: "a", email: "", password: "" } } }),
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).status).toBe(422);
    expect((failure as ApiError).messages).toEqual(["email can't be blank", "password is too short"]);
  });

  it("explains an error without the envelope by its status", async () => {
    server.use(http.get(api("/tags"), () => new HttpResponse("<h1>Bad gateway</h1>", { status: 502 })));
    const failure = (await request(() => client.GET("/tags")).catch((e: unknown) => e)) as ApiError;
    expect(failure.status).toBe(502);
    expect(failure.messages).toEqual(["The server answered with an error (HTTP 502)."]);
  });

  it("reports an unreachable server as status 0", async () => {
    server.use(http.get(api("/tags"), () => HttpResponse.error()));
    const failure = (await request(() => client.GET("/tags")).catch((e: unknown) => e)) as ApiError;
    expect(failure.status).toBe(0);
    expect(failure.messages[0]).toMatch(/^Unable to connect/);
  });

  it("returns undefined for 204 answers", async () => {
    server.use(http.delete(api("/articles/:slug"), () => new HttpResponse(null, { status: 204 })));
    setAuthToken("abc");
    await expect(
      request(() => client.DELETE("/articles/{slug}", { params: { path: { slug: "x" } } })),
    ).resolves.toBeUndefined();
  });
});

describe("401 handling", () => {
  it("tells the listeners when the API rejects the current token, and replays a read without it", async () => {
    const auths: (string | null)[] = [];
    server.use(
      http.get(api("/articles/:slug"), ({ request: req }) => {
        auths.push(req.headers.get("Authorization"));
        return req.headers.get("Authorization")
          ? apiError(401, { token: ["is invalid"] })
          : HttpResponse.json({ article: makeArticle() });
      }),
    );
    const listener = vi.fn();
    const stop = onTokenRejected(listener);
    setAuthToken("expired");
    const data = await request(() => client.GET("/articles/{slug}", { params: { path: { slug: "x" } } }));
    stop();
    expect(listener).toHaveBeenCalledOnce();
    expect(auths).toEqual(["Token expired", null]);
    expect(data.article.slug).toBe("how-to-train-your-dragon");
  });

  it("does not replay a write, and reports its 401", async () => {
    let calls = 0;
    server.use(
      http.post(api("/articles"), () => {
        calls++;
        return apiError(401, { token: ["has expired"] });
      }),
    );
    const listener = vi.fn();
    const stop = onTokenRejected(listener);
    setAuthToken("expired");
    const body = { article: { title: "t", description: "d", body: "b" } };
    const failure = (await request(() => client.POST("/articles", { body })).catch((e: unknown) => e)) as ApiError;
    stop();
    expect(calls).toBe(1);
    expect(failure.status).toBe(401);
    expect(listener).toHaveBeenCalledOnce();
  });

  it("leaves GET /user's 401 to the session: no listener, no replay", async () => {
    let calls = 0;
    server.use(
      http.get(api("/user"), () => {
        calls++;
        return apiError(401, { token: ["is invalid"] });
      }),
    );
    const listener = vi.fn();
    const stop = onTokenRejected(listener);
    setAuthToken("expired");
    const failure = (await request(() => client.GET("/user")).catch((e: unknown) => e)) as ApiError;
    stop();
    expect(failure.status).toBe(401);
    expect(calls).toBe(1);
    expect(listener).not.toHaveBeenCalled();
  });

  it("does not report a 401 to a request sent without a token", async () => {
    server.use(http.post(api("/users/login"), () => apiError(401, { credentials: ["invalid"] })));
    const listener = vi.fn();
    const stop = onTokenRejected(listener);
    const failure = (await request(() =>
      client.POST("/users/login", { body: { user: { email: "a@b.c", password: "nope" } } }),
    ).catch((e: unknown) => e)) as ApiError;
    stop();
    expect(listener).not.toHaveBeenCalled();
    expect(failure.messages).toEqual(["credentials invalid"]);
  });

  it("ignores a 401 answering an older token", async () => {
    let release: (() => void) | undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    server.use(
      http.get(api("/tags"), async () => {
        await gate;
        return apiError(401, { token: ["is invalid"] });
      }),
    );
    const listener = vi.fn();
    const stop = onTokenRejected(listener);
    setAuthToken("old");
    const pending = request(() => client.GET("/tags")).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 10));
    setAuthToken(makeUser().token); // signed in again meanwhile
    release?.();
    await pending;
    stop();
    expect(listener).not.toHaveBeenCalled();
  });
});

describe("the session gate", () => {
  it("holds every request but GET /user until the session's check has answered", async () => {
    const order: string[] = [];
    let answer: (() => void) | undefined;
    const checked = new Promise<void>((resolve) => (answer = resolve));
    server.use(
      http.get(api("/user"), () => {
        order.push("user");
        return HttpResponse.json({ user: makeUser() });
      }),
      http.get(api("/tags"), () => {
        order.push("tags");
        return HttpResponse.json({ tags: [] });
      }),
    );
    holdRequestsUntil(checked);
    const tags = request(() => client.GET("/tags"));
    await request(() => client.GET("/user"));
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual(["user"]);
    answer?.();
    await tags;
    expect(order).toEqual(["user", "tags"]);
  });
});

describe("formatErrors / errorMessages", () => {
  it("reads like RealWorld: field then message, or field: Sentence", () => {
    expect(formatErrors({ email: ["can't be blank", "is invalid"], title: ["Ensure this field has at most 255 characters."] })).toEqual([
      "email can't be blank",
      "email is invalid",
      "title: Ensure this field has at most 255 characters.",
    ]);
  });

  it("has a generic line for errors that are not API errors", () => {
    expect(errorMessages(new Error("boom"))).toEqual(["Something went wrong. Please try again."]);
  });
});
