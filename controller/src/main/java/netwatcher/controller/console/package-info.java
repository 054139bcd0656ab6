/**
 * The web console, first slice: a few static files (plain JavaScript modules, SVG, no build step) served at
 * {@code /console/} on the controller's own listener, a server-side session behind an {@code HttpOnly; Secure;
 * SameSite=Strict} cookie, and the read models the pages need (fleet, a paged capture table, a server-sent
 * event stream of capture reports).
 *
 * <p>Decisions. The console holds no authority of its own: a session stores the bearer credential it was
 * opened with (the admin token, a service principal's token from the controller's own token endpoint, an OIDC
 * token) and every request, the ARM API's included, is authenticated with it through the same
 * {@code AccessControl}; actions go to the ARM routes themselves, so a Reader's stop is refused exactly as
 * through {@code az}. The read models filter every row with {@code AccessControl.allows}. A state-changing
 * request authenticated by the cookie must carry the session's CSRF token ({@code X-CSRF-Token}); login itself
 * demands a JSON body and a same-origin {@code Origin}. Sessions live in the database the controllers share
 * ({@code ConsoleSessions}): any controller accepts one and a logout anywhere ends it; the row holds the cookie's
 * hash and the credential sealed under a key derived from the cookie ({@code Sealed}), so the database alone opens
 * nothing. {@code OidcLogin} runs the OpenID Connect authorization-code flow with PKCE for providers with a client
 * registration and opens the same kind of session for the provider's ID token.
 */
package netwatcher.controller.console;
