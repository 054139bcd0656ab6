package netwatcher.controller.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import netwatcher.pki.PemFiles;

/**
 * The built-in issuer's signing keys, kept in the database so that every controller on it signs with
 * the same key and accepts every other controller's tokens. Keys rotate: each period of
 * {@code auth.signingKeyRotationDays} (default {@link #DEFAULT_ROTATION}) has its own key, made by the first
 * controller that needs it (insert-if-absent on the period, then read: controllers racing for a new
 * period's key end up with one). The current period's key signs; a key keeps verifying until its period
 * ended plus {@link #VERIFY_GRACE} (the longest token lifetime and clock skew), and the JWKS lists exactly the
 * keys that still verify.
 *
 * <p>Reads are served from a snapshot, re-read at most every {@link #REFRESH_INTERVAL}, and at once (at most once per
 * second) when a token names a key id the snapshot lacks: a key another controller made a moment ago.
 *
 * <p>Thread-safe: the snapshot is an immutable value behind a volatile field; refreshes are serialized.
 */
public final class SharedSigningKeys implements IssuerKeys {
    public static final Duration DEFAULT_ROTATION = Duration.ofDays(30);
    /** Longest token lifetime ({@link OAuthConfig}: 24 h) plus a margin for clock skew. */
    static final Duration VERIFY_GRACE = Duration.ofHours(24).plusMinutes(5);
    static final Duration REFRESH_INTERVAL = Duration.ofSeconds(60);
    static final Duration UNKNOWN_KID_REFRESH = Duration.ofSeconds(1);

    private final SigningKeyRepository repository;
    private final Duration rotation;
    private final Clock clock;
    /** Guarded by {@code this} for writes; read without a lock. */
    private volatile Snapshot snapshot = new Snapshot(List.of(), Instant.EPOCH);

    private record Loaded(SigningKeyRepository.StoredKey stored, OAuthSigningKey key) {}

    private record Snapshot(List<Loaded> keys, Instant readAt) {}

    private SharedSigningKeys(SigningKeyRepository repository, Duration rotation, Clock clock) {
        this.repository = repository;
        this.rotation = rotation;
        this.clock = clock;
    }

    /**
     * Opens the shared keys; {@code legacy} (a data directory's {@code oauth/signing-key.pem} from before keys were
     * shared) becomes the current period's key when the database has no valid key yet, so tokens it signed stay valid.
     */
    public static SharedSigningKeys open(SigningKeyRepository repository, Duration rotation, Clock clock,
                                         Optional<OAuthSigningKey> legacy) {
        if (rotation.compareTo(Duration.ofHours(1)) < 0) {
            throw new IllegalArgumentException("auth.signingKeyRotationDays must give at least one hour, was " + rotation);
        }
        SharedSigningKeys keys = new SharedSigningKeys(repository, rotation, clock);
        Instant now = clock.instant();
        if (legacy.isPresent() && repository.valid(now).isEmpty()) repository.offer(keys.period(legacy.get(), now, false), now);
        keys.current();
        return keys;
    }

    @Override
    public OAuthSigningKey current() {
        Instant now = clock.instant();
        Optional<OAuthSigningKey> key = signing(snapshot, now);
        if (key.isPresent()) return key.get();
        synchronized (this) {
            key = signing(refresh(now), now);
            if (key.isPresent()) return key.get();
            repository.offer(period(OAuthSigningKey.generateInMemory(), now, false), now);
            key = signing(refresh(now), now);
            if (key.isPresent()) return key.get();
            // the period's slot holds a key that does not sign now (the rotation setting changed): start a period now
            repository.offer(period(OAuthSigningKey.generateInMemory(), now, true), now);
            return signing(refresh(now), now).orElseThrow(() -> new IllegalStateException("no OAuth signing key for " + now));
        }
    }

    @Override
    public JWKSet publicJwkSet() {
        Instant now = clock.instant();
        Snapshot s = snapshot;
        if (s.readAt().plus(REFRESH_INTERVAL).isBefore(now)) s = refreshNow(now);
        List<JWK> out = new ArrayList<>();
        for (Loaded l : s.keys()) if (l.stored().verifyUntil().isAfter(now)) out.addAll(l.key().publicJwkSet().getKeys());
        return new JWKSet(out);
    }

    @Override
    public List<JWK> keys(String kid) {
        Instant now = clock.instant();
        Snapshot s = snapshot;
        if (kid != null && s.keys().stream().noneMatch(l -> l.stored().keyId().equals(kid))
                && s.readAt().plus(UNKNOWN_KID_REFRESH).isBefore(now)) {
            s = refreshNow(now);
        }
        return s.keys().stream().filter(l -> l.stored().verifyUntil().isAfter(now))
                .filter(l -> kid == null || l.stored().keyId().equals(kid))
                .flatMap(l -> l.key().publicJwkSet().getKeys().stream()).toList();
    }

    private synchronized Snapshot refreshNow(Instant now) {
        return refresh(now);
    }

    /** Re-reads the valid keys; callers hold the lock. */
    private Snapshot refresh(Instant now) {
        List<Loaded> loaded = new ArrayList<>();
        for (SigningKeyRepository.StoredKey stored : repository.valid(now)) loaded.add(new Loaded(stored, parse(stored.privatePem())));
        Snapshot s = new Snapshot(List.copyOf(loaded), now);
        snapshot = s;
        return s;
    }

    private static Optional<OAuthSigningKey> signing(Snapshot s, Instant now) {
        return s.keys().stream().filter(l -> !l.stored().signFrom().isAfter(now) && l.stored().signUntil().isAfter(now))
                .map(Loaded::key).findFirst();
    }

    /** {@code key} as the key of the period holding {@code now} (or, with {@code startNow}, of a period starting now). */
    private SigningKeyRepository.StoredKey period(OAuthSigningKey key, Instant now, boolean startNow) {
        long length = rotation.toSeconds();
        long start = startNow ? now.getEpochSecond() : Math.floorDiv(now.getEpochSecond(), length) * length;
        Instant from = Instant.ofEpochSecond(start);
        Instant until = from.plus(rotation);
        return new SigningKeyRepository.StoredKey(start, key.keyId(), PemFiles.toPem(key.privateKey()), from, until,
                until.plus(VERIFY_GRACE));
    }

    private static OAuthSigningKey parse(String pem) {
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            return OAuthSigningKey.of(KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64))));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("a stored OAuth signing key is unreadable: " + e.getMessage(), e);
        }
    }
}
