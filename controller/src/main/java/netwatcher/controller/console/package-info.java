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
 * demands a JSON body and a same-origin {@code Origin}. Sessions live in this controller's memory: a
 * controller restart (or another controller of a cluster) asks to log in again.
 */
package netwatcher.controller.console;
