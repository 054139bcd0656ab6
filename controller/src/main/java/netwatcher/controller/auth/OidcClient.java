package netwatcher.controller.auth;

import java.util.Objects;

/**
 * The controller registered as a client of an OIDC provider, for the console's authorization-code login
 * ({@code auth.oidc.<n>.clientId}, {@code auth.oidc.<n>.clientSecret}). The provider's endpoints come from its
 * discovery document; the redirect URI is the controller's public URL + {@code /console/oidc/callback}.
 *
 * @param provider     the {@link OidcProviderConfig#name()} it belongs to
 * @param clientId     the client id the provider gave the controller; must be among the provider's audiences, since
 *                     the ID token the login ends with is addressed to it
 * @param clientSecret the client secret (sent with HTTP Basic at the token endpoint), or null for a public client that
 *                     relies on PKCE alone
 */
public record OidcClient(String provider, String clientId, String clientSecret) {
    public OidcClient {
        Objects.requireNonNull(provider, "provider");
        if (clientId == null || clientId.isBlank()) throw new IllegalArgumentException("auth.oidc." + provider + ".clientId must not be blank");
        clientId = clientId.strip();
        clientSecret = clientSecret == null || clientSecret.isBlank() ? null : clientSecret.strip();
    }

    @Override
    public String toString() {
        return "OidcClient[provider=" + provider + ", clientId=" + clientId + ", clientSecret=" + (clientSecret == null ? "none" : "***") + "]";
    }
}
