package netwatcher.controller.auth;

import com.nimbusds.jose.jwk.JWK;
import java.util.List;

/** Where a trusted issuer's verification keys come from. Implementations are thread-safe. */
public interface KeySource {
    /**
     * The keys that may have signed a token with key id {@code kid} (all keys when {@code kid} is
     * null). A source that fetches remotely refreshes at most at its configured rate when
     * {@code kid} is unknown, so a provider's key rotation is picked up without a restart.
     */
    List<JWK> keys(String kid);
}
