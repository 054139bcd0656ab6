package netwatcher.controller.console;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A session's credential as the database holds it: AES-256-GCM under a key derived from the session's cookie value
 * (SHA-256 of a fixed label and the value; the row itself is keyed by a different hash of the value), so that only the
 * browser holding the cookie can have it opened. Stateless.
 */
final class Sealed {
    private static final String LABEL = "netwatcher console session credential\0";
    private static final int NONCE_BYTES = 12;

    private Sealed() {}

    static String seal(String sessionId, String credential) {
        try {
            byte[] nonce = netwatcher.controller.auth.Secrets.randomBytes(NONCE_BYTES);
            Cipher c = cipher(Cipher.ENCRYPT_MODE, sessionId, nonce);
            byte[] ct = c.doFinal(credential.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(ByteBuffer.allocate(nonce.length + ct.length).put(nonce).put(ct).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal a console session's credential", e);
        }
    }

    /** The credential, or empty when {@code sealed} was not sealed for {@code sessionId} (or was altered). */
    static Optional<String> open(String sessionId, String sealed) {
        try {
            byte[] all = Base64.getDecoder().decode(sealed);
            if (all.length <= NONCE_BYTES) return Optional.empty();
            byte[] nonce = java.util.Arrays.copyOf(all, NONCE_BYTES);
            Cipher c = cipher(Cipher.DECRYPT_MODE, sessionId, nonce);
            return Optional.of(new String(c.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES), StandardCharsets.UTF_8));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Cipher cipher(int mode, String sessionId, byte[] nonce) throws GeneralSecurityException {
        byte[] key = MessageDigest.getInstance("SHA-256").digest((LABEL + sessionId).getBytes(StandardCharsets.UTF_8));
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        return c;
    }
}
