package netwatcher.controller.tls;

import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * What the HTTPS server needs, as prepared by {@link TlsSetup}.
 *
 * @param keyStore PKCS12 key store with one key entry (alias {@code server}) holding the chain
 * @param keyStorePassword password of the key store and of the key entry (random per start, never
 *     written anywhere)
 * @param sslContext a TLS server context built from the key store (JDK defaults)
 * @param chain the certificate chain served, leaf first
 * @param certificateFile the PEM file the chain was read from
 * @param caCertificate the generated CA users add to their trust store; empty when the user supplied
 *     the certificate
 * @param reissued whether this start issued a new server certificate
 * @param reason why it was (re-)issued, or why not (for the start-up log)
 */
public record TlsMaterial(KeyStore keyStore, char[] keyStorePassword, SSLContext sslContext,
                          List<X509Certificate> chain, Path certificateFile, Optional<Path> caCertificate,
                          boolean reissued, String reason) {
    public TlsMaterial {
        chain = List.copyOf(chain);
        keyStorePassword = keyStorePassword.clone();
    }

    /** The leaf certificate served. */
    public X509Certificate certificate() { return chain.getFirst(); }

    @Override
    public char[] keyStorePassword() { return keyStorePassword.clone(); }

    @Override
    public boolean equals(Object other) {
        return other instanceof TlsMaterial that && chain.equals(that.chain) && certificateFile.equals(that.certificateFile)
                && Arrays.equals(keyStorePassword, that.keyStorePassword);
    }

    @Override
    public int hashCode() { return chain.hashCode(); }

    @Override
    public String toString() {
        return "TlsMaterial[" + certificate().getSubjectX500Principal().getName() + ", file=" + certificateFile
                + ", ca=" + caCertificate.map(Path::toString).orElse("(user-supplied certificate)") + ", " + reason + "]";
    }
}
