/**
 * Authentication and authorization of the controller's ARM API, secure by default.
 *
 * <p>Who: {@link netwatcher.controller.auth.Authenticator} turns the {@code Authorization} header
 * into a {@link netwatcher.controller.auth.Principal}: the admin token generated into
 * {@code DATA_DIR/admin.token}, JWTs from the built-in ADFS-style OAuth2 issuer
 * ({@link netwatcher.controller.auth.OAuthIssuer}, client-credentials for service principals, so
 * {@code az login --service-principal} and the Azure SDKs work against the controller), JWTs from
 * configured OIDC providers ({@link netwatcher.controller.auth.JwtValidator}: pinned asymmetric
 * algorithms, JWKS cached and refreshed on key rotation), and pluggable verifiers such as the agent
 * registry's. What: {@link netwatcher.controller.auth.Authorizer} maps HTTP method and resource path
 * to Reader/Contributor/Owner and checks role assignments scoped to subscriptions or resource
 * groups; its second form checks a role on a resource a request references in its body (ARM's
 * linked access check, by parsed subscription and resource group; docs/security.md). State
 * (service principals, role assignments, enrollment tokens) lives in small repositories
 * (SQL visible, on {@link netwatcher.controller.db.Database}) over the tables of
 * {@code db/migration/security/}; the controllers' shared identity lives there too, so that N controllers
 * on one database accept what any of them issued: the admin token's hash
 * ({@link netwatcher.controller.auth.AdminToken#establish}, first controller wins, existing
 * {@code admin.token} files taken over) and the built-in issuer's rotating signing keys
 * ({@link netwatcher.controller.auth.SharedSigningKeys}). Secrets are
 * server-generated 256-bit values stored only as SHA-256 hashes
 * ({@link netwatcher.controller.auth.Secrets}). {@link netwatcher.controller.auth.SecurityAdmin}
 * is the admin's service for all of it. No type here depends on the HTTP server: routes pass
 * strings and maps in and render the records that come out.
 */
package netwatcher.controller.auth;
