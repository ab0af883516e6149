/**
 * `window.__conduit_debug__`: the RealWorld e2e contract's read-only view of the session.
 */
import { publicAuthState, sessionSnapshot } from "src/stores/session";

type AuthState = ReturnType<typeof publicAuthState>;

export interface ConduitDebug {
  getToken(): string | null;
  getAuthState(): AuthState;
  getCurrentUser(): { username: string; email: string; bio: string | null; image: string | null; token: string } | null;
}

declare global {
  interface Window {
    __conduit_debug__?: ConduitDebug;
  }
}

export function installDebug(target: Window): void {
  target.__conduit_debug__ = {
    getToken: () => sessionSnapshot().token,
    getAuthState: () => publicAuthState(sessionSnapshot().status),
    getCurrentUser: () => {
      const user = sessionSnapshot().user;
      return user ? { username: user.username, email: user.email, bio: user.bio, image: user.image, token: user.token } : null;
    },
  };
}
