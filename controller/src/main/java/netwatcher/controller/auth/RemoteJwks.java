package netwatcher.controller.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A provider's JWKS fetched over HTTP(S) and cached: refetched when older than {@code ttl}, and
 * when a token names an unknown {@code kid} (key rotation), but never more often than once per
 * {@code minRefreshInterval}, so tokens with made-up key ids cannot make the controller hammer
 * the provider. A failed refresh keeps the previous keys.
 *
 * <p>Thread-safe (refreshes are serialized).
 */
public final class RemoteJwks implements KeySource {
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(10);
    public static final Duration DEFAULT_MIN_REFRESH_INTERVAL = Duration.ofSeconds(30);

    private final URI uri;
    private final HttpClient http;
    private final Clock clock;
    private final Duration ttl;
    private final Duration minRefreshInterval;
    private JWKSet cached;
    private Instant fetchedAt;
    private Instant lastAttempt;
    private int fetches;

    public RemoteJwks(URI uri, HttpClient http, Clock clock, Duration ttl, Duration minRefreshInterval) {
        this.uri = Objects.requireNonNull(uri, "uri");
        this.http = Objects.requireNonNull(http, "http");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ttl = ttl;
        this.minRefreshInterval = minRefreshInterval;
    }

    @Override
    public synchronized List<JWK> keys(String kid) {
        Instant now = clock.instant();
        boolean stale = cached == null || !now.isBefore(fetchedAt.plus(ttl));
        if (stale && mayAttempt(now)) {
            refresh(now);
        }
        List<JWK> found = select(kid);
        if (found.isEmpty() && kid != null && mayAttempt(now)) {
            refresh(now);
            found = select(kid);
        }
        return found;
    }

    /** How many fetches were made (for tests and diagnostics). */
    public synchronized int fetches() { return fetches; }

    private boolean mayAttempt(Instant now) {
        return lastAttempt == null || !now.isBefore(lastAttempt.plus(minRefreshInterval));
    }

    private List<JWK> select(String kid) {
        if (cached == null) {
            return List.of();
        }
        return cached.getKeys().stream().filter(key -> kid == null || kid.equals(key.getKeyID())).toList();
    }

    private void refresh(Instant now) {
        lastAttempt = now;
        fetches++;
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                    .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return;
            }
            cached = JWKSet.parse(response.body());
            fetchedAt = now;
        } catch (IOException | ParseException e) {
            // keep the previous keys; a token signed with an unknown key fails as such
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() { return "RemoteJwks[" + uri + "]"; }
}
