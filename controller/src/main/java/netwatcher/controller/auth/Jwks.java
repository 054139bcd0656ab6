package netwatcher.controller.auth;

import java.util.List;
import java.util.Map;

/**
 * The body of {@code GET /adfs/discovery/keys}: the public signing keys.
 *
 * @param keys each key as a JSON object (kty, use, kid, alg, n, e)
 */
public record Jwks(List<Map<String, Object>> keys) {
    public Jwks {
        keys = keys.stream().map(Map::copyOf).toList();
    }

    /** The JSON object {@code {"keys":[...]}}. */
    public Map<String, Object> toJson() { return Map.of("keys", keys); }
}
