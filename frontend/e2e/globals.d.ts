// The app's debug interface as the e2e suite sees it inside page.evaluate().
interface Window {
  __conduit_debug__?: {
    getToken(): string | null;
    getAuthState(): "authenticated" | "unauthenticated" | "unavailable" | "loading";
    getCurrentUser(): { username: string; email: string; bio: string | null; image: string | null; token: string } | null;
  };
}
