import { describe, expect, it } from "vitest";
import { idempotencyKey, idempotencyKeyUsed } from "./idempotency";

describe("idempotencyKey", () => {
  it("is the same for a retry of the same content", () => {
    const body = { article: { title: "A", description: "d", body: "b" } };
    expect(idempotencyKey("test_same", body)).toBe(idempotencyKey("test_same", structuredClone(body)));
  });

  it("differs for other content and for another operation", () => {
    const key = idempotencyKey("test_other", { comment: { body: "one" } });
    expect(idempotencyKey("test_other", { comment: { body: "two" } })).not.toBe(key);
    expect(idempotencyKey("test_another", { comment: { body: "one" } })).not.toBe(key);
  });

  it("starts afresh after a success, so the same content can be sent again on purpose", () => {
    const body = { comment: { body: "+1" } };
    const first = idempotencyKey("test_used", body);
    idempotencyKeyUsed("test_used");
    expect(idempotencyKey("test_used", body)).not.toBe(first);
  });

  it("is visible ASCII the API accepts", () => {
    expect(idempotencyKey("test_shape", {})).toMatch(/^[0-9a-f]{32}\.[0-9a-f]{8}$/);
  });
});
