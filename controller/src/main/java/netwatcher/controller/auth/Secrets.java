package netwatcher.controller.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Server-generated secrets and their stored hashes.
 *
 * <p>Every secret netwatcher accepts (client secrets, enrollment token secrets, the admin token) is
 * 256 random bits from {@link SecureRandom}, base64url without padding (43 characters). Because the
 * secret has full entropy, a single SHA-256 is enough to store it: there is no dictionary to try,
 * and a slow hash (PBKDF2, bcrypt) would only cost CPU on every request without making a 2^256
 * search any harder. Stored form: {@code sha256:<base64url digest>}. Comparison is constant-time
 * ({@link MessageDigest#isEqual}). Secrets are never logged: the records holding hashes leave them
 * out of {@code toString()}.
 *
 * <p>Stateless and thread-safe.
 */
public final class Secrets {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String PREFIX = "sha256:";

    private Secrets() {}

    /** A new 256-bit secret, base64url without padding. */
    public static String generate() {
        return randomToken(32);
    }

    /** {@code bytes} random bytes from the same source as every secret: keys that are not tokens (HMAC keys). */
    public static byte[] randomBytes(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return random;
    }

    /**
     * {@code bytes} random bytes, base64url without padding, never starting with '-' or '_': a
     * leading '-' makes command lines (picocli, az) read a secret given as a flag value as an option.
     */
    static String randomToken(int bytes) {
        byte[] random = new byte[bytes];
        String token;
        do {
            RANDOM.nextBytes(random);
            token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        } while (token.charAt(0) == '-' || token.charAt(0) == '_');
        return token;
    }

    /** The stored form of a secret: {@code sha256:<base64url(SHA-256(secret))>}. */
    public static String hash(String secret) {
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(digest(secret));
    }

    /** Whether {@code presented} hashes to {@code storedHash}, in constant time. */
    public static boolean matches(String presented, String storedHash) {
        if (presented == null || storedHash == null || !storedHash.startsWith(PREFIX)) {
            return false;
        }
        byte[] expected;
        try {
            expected = Base64.getUrlDecoder().decode(storedHash.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(digest(presented), expected);
    }

    /** Constant-time comparison of two secrets (for values kept in memory, like the admin token). */
    public static boolean constantTimeEquals(String presented, String expected) {
        if (presented == null || expected == null) {
            return false;
        }
        return MessageDigest.isEqual(digest(presented), digest(expected));
    }

    private static byte[] digest(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
