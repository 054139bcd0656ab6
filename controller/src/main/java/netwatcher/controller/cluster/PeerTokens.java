package netwatcher.controller.cluster;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import netwatcher.arm.ArmErrorCode;
import netwatcher.controller.db.Database;

/**
 * Short-lived tokens one controller of a cluster presents to another on the internal routes ({@code /internal/v1/},
 * docs/security.md "Controller to controller"): {@code Authorization: NwPeer v1.<controllerId>.<expiry>.<sig>} where
 * {@code sig} is the HMAC-SHA256, under the cluster's {@code peer-relay} secret, of the purpose, the calling
 * controller's id, the expiry (epoch seconds) and the request's resource (for the live relay the host capture's
 * key), so a token opens only the stream it was made for and only for {@link #LIFETIME}. The secret is a random
 * 256-bit key in the shared database ({@code nw_cluster_secret}), inserted if absent by the first controller and
 * never sent to agents or API callers: only processes that can read the cluster's database hold it, as with the
 * OAuth signing keys. Thread-safe (immutable after construction).
 */
public final class PeerTokens {
    /** The scheme of the {@code Authorization} header. */
    public static final String SCHEME = "NwPeer";
    /** How long a token is valid: the relay presents it once, at the request's start. */
    public static final Duration LIFETIME = Duration.ofSeconds(60);
    /** Tolerated disagreement of the controllers' clocks (NTP keeps them far closer). */
    static final Duration SKEW = Duration.ofSeconds(30);
    private static final String SECRET_NAME = "peer-relay";

    private final byte[] key;
    private final String selfId;
    private final InstantSource clock;

    PeerTokens(byte[] key, String selfId, InstantSource clock) {
        if (key.length < 32) throw new IllegalArgumentException("peer token key too short: " + key.length + " bytes");
        this.key = key.clone();
        this.selfId = selfId;
        this.clock = clock;
    }

    /** The tokens of controller {@code selfId} with the cluster's secret from {@code db} (made once, by the first controller). */
    public static PeerTokens of(Database db, String selfId, InstantSource clock) {
        byte[] fresh = netwatcher.controller.auth.Secrets.randomBytes(32);
        db.insertIfAbsent("INSERT INTO nw_cluster_secret (name, secret, created_at) VALUES (?, ?, ?)", SECRET_NAME,
                Base64.getEncoder().encodeToString(fresh), clock.instant());
        String secret = db.queryOne("SELECT secret FROM nw_cluster_secret WHERE name = ?", r -> r.getString("secret"), SECRET_NAME)
                .orElseThrow(() -> new IllegalStateException("nw_cluster_secret: row " + SECRET_NAME + " vanished"));
        return new PeerTokens(Base64.getDecoder().decode(secret), selfId, clock);
    }

    /** The {@code Authorization} header value for a request of {@code purpose} on {@code resource}. */
    public String header(String purpose, String resource) {
        long expiry = clock.instant().plus(LIFETIME).getEpochSecond();
        return SCHEME + " v1." + selfId + "." + expiry + "." + sign(purpose, selfId, expiry, resource);
    }

    /**
     * Checks the {@code Authorization} header of an internal request of {@code purpose} on {@code resource}; returns
     * the calling controller's id. Refuses with 401 {@code AuthenticationFailed} when there is no header or the token is
     * malformed, expired, for another resource or not signed with the cluster's secret, and with 403
     * {@code AuthorizationFailed} when the header carries another kind of credential (an API token, an agent's).
     */
    public String verify(String authorization, String purpose, String resource) {
        if (authorization == null || authorization.isBlank()) {
            throw ArmErrorCode.AuthenticationFailed.exception("The internal routes are for the controllers of this cluster:"
                    + " the Authorization header must carry a controller's " + SCHEME + " token.");
        }
        String h = authorization.strip();
        if (!h.regionMatches(true, 0, SCHEME + " ", 0, SCHEME.length() + 1)) {
            throw ArmErrorCode.AuthorizationFailed.exception("The internal routes are for the controllers of this cluster only;"
                    + " API tokens and agent credentials are not accepted on them.");
        }
        String[] parts = h.substring(SCHEME.length() + 1).strip().split("\\.", -1);
        if (parts.length != 4 || !parts[0].equals("v1") || parts[1].isEmpty()) throw invalid("it is not a v1 token");
        long expiry;
        try {
            expiry = Long.parseLong(parts[2]);
        } catch (NumberFormatException e) {
            throw invalid("its expiry is not a number");
        }
        byte[] expected = sign(purpose, parts[1], expiry, resource).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, parts[3].getBytes(StandardCharsets.US_ASCII))) {
            throw invalid("its signature does not match (another cluster's secret, or a token for another resource)");
        }
        Instant now = clock.instant();
        Instant until = Instant.ofEpochSecond(expiry);
        if (!until.plus(SKEW).isAfter(now)) throw invalid("it expired at " + until);
        if (until.isAfter(now.plus(LIFETIME).plus(SKEW))) throw invalid("its expiry " + until + " is further than " + LIFETIME + " ahead");
        return parts[1];
    }

    private static netwatcher.arm.ArmException invalid(String why) {
        return ArmErrorCode.AuthenticationFailed.exception("The " + SCHEME + " token was refused: " + why + ".");
    }

    private String sign(String purpose, String controllerId, long expiry, String resource) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            String text = "netwatcher-peer\n" + purpose + "\n" + controllerId + "\n" + expiry + "\n" + resource;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
