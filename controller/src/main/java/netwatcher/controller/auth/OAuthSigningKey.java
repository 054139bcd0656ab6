package netwatcher.controller.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import netwatcher.pki.PemFiles;

/**
 * The built-in issuer's RS256 signing key: RSA 3072, kept as PKCS#8 PEM in
 * {@code DATA_DIR/oauth/signing-key.pem} (mode 0600) by controllers before keys moved into the database
 * ({@link SharedSigningKeys}, which imports that file once and rotates keys itself). The key id
 * ({@code kid}) is the key's RFC 7638 JWK thumbprint.
 *
 * <p>Immutable and thread-safe.
 */
public final class OAuthSigningKey {
    public static final String DIRECTORY = "oauth";
    public static final String FILE_NAME = "signing-key.pem";
    private static final int KEY_SIZE = 3072;

    private final RSAKey jwk;

    private OAuthSigningKey(RSAKey jwk) { this.jwk = jwk; }

    /** The key a data directory kept before keys lived in the database, if it has one. */
    public static java.util.Optional<OAuthSigningKey> legacy(Path dataDir) {
        Path file = dataDir.toAbsolutePath().resolve(DIRECTORY).resolve(FILE_NAME);
        return Files.exists(file) ? java.util.Optional.of(of(PemFiles.readPrivateKey(file))) : java.util.Optional.empty();
    }

    /** Loads {@code dataDir/oauth/signing-key.pem}, creating it on first call. */
    public static synchronized OAuthSigningKey loadOrCreate(Path dataDir) {
        Path file = dataDir.toAbsolutePath().resolve(DIRECTORY).resolve(FILE_NAME);
        if (!Files.exists(file)) {
            PemFiles.writePrivateKey(file, generate());
        }
        return of(PemFiles.readPrivateKey(file));
    }

    /** A new, unsaved key (tests, rotation). */
    public static OAuthSigningKey generateInMemory() { return of(generate()); }

    private static PrivateKey generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(KEY_SIZE);
            return generator.generateKeyPair().getPrivate();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA key generation is not available", e);
        }
    }

    static OAuthSigningKey of(PrivateKey key) {
        if (!(key instanceof RSAPrivateCrtKey rsa)) {
            throw new IllegalArgumentException("the OAuth signing key must be an RSA key, was " + key.getAlgorithm());
        }
        try {
            RSAPublicKey publicKey = (RSAPublicKey) KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
            RSAKey jwk = new RSAKey.Builder(publicKey).privateKey(rsa).keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.RS256).keyIDFromThumbprint().build();
            return new OAuthSigningKey(jwk);
        } catch (GeneralSecurityException | JOSEException e) {
            throw new IllegalStateException("cannot derive the public key of the OAuth signing key", e);
        }
    }

    /** The key id in token headers and the JWKS. */
    public String keyId() { return jwk.getKeyID(); }

    /** The private key itself, for storing it (never publish). */
    java.security.PrivateKey privateKey() {
        try {
            return jwk.toPrivateKey();
        } catch (JOSEException e) {
            throw new IllegalStateException("the OAuth signing key has no private part", e);
        }
    }

    /** The private JWK (for signing only; never publish). */
    RSAKey privateJwk() { return jwk; }

    /** The public JWK set served at {@code /adfs/discovery/keys}. */
    public JWKSet publicJwkSet() { return new JWKSet(jwk.toPublicJWK()); }

    @Override
    public String toString() { return "OAuthSigningKey[kid=" + keyId() + "]"; }
}
