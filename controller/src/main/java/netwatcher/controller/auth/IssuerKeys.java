package netwatcher.controller.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.util.List;

/**
 * The built-in issuer's keys: the one that signs now, and every one whose tokens still verify (the JWKS).
 * Implementations are thread-safe.
 */
public interface IssuerKeys extends KeySource {
    /** The key that signs tokens issued now. */
    OAuthSigningKey current();

    /** The public keys tokens may be verified with, the current one included. */
    JWKSet publicJwkSet();

    /** One key that never rotates (tests, and a controller without a database). */
    static IssuerKeys fixed(OAuthSigningKey key) {
        return new IssuerKeys() {
            @Override public OAuthSigningKey current() { return key; }

            @Override public JWKSet publicJwkSet() { return key.publicJwkSet(); }

            @Override public List<JWK> keys(String kid) {
                return key.publicJwkSet().getKeys().stream().filter(k -> kid == null || kid.equals(k.getKeyID())).toList();
            }
        };
    }
}
