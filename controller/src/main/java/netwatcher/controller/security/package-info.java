/**
 * Wires the security layer ({@code netwatcher.controller.auth}) onto the HTTP edge: the
 * {@link netwatcher.controller.http.AccessControl} every ARM route uses (admin token, built-in
 * issuer's JWTs, configured OIDC providers; role assignments by scope), enrollment-token redemption
 * for agents, the ADFS-style OAuth2 endpoints, and the admin API ({@code /admin/v1}) that
 * {@code nw admin} drives.
 */
package netwatcher.controller.security;
