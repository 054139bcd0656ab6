package netwatcher.pki;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A certificate with its private key and the CA that issued it, ready to serve TLS.
 *
 * @param certificate the leaf (server) certificate
 * @param key its private key
 * @param ca the issuing CA certificate, or {@code null} when read from a PEM file that held only
 *     the leaf
 */
public record IssuedCertificate(X509Certificate certificate, PrivateKey key, X509Certificate ca) {
    /** Alias of the key entry in {@link #toKeyStore(char[])}. */
    public static final String KEY_ALIAS = "server";

    public IssuedCertificate {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(key, "key");
        if (!CertificateAuthority.matches(certificate.getPublicKey(), key)) {
            throw new PkiException("private key does not belong to certificate "
                    + certificate.getSubjectX500Principal().getName());
        }
    }

    /** The chain a TLS server presents: leaf, then the CA (when known and not the leaf itself). */
    public List<X509Certificate> chain() {
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(certificate);
        if (ca != null && !ca.equals(certificate)) {
            chain.add(ca);
        }
        return List.copyOf(chain);
    }

    /** A PKCS12 key store with one key entry ({@link #KEY_ALIAS}) holding the whole chain. */
    public KeyStore toKeyStore(char[] password) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(KEY_ALIAS, key, password, chain().toArray(Certificate[]::new));
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new PkiException("cannot build a key store for " + certificate.getSubjectX500Principal().getName(), e);
        }
    }

    /** A TLS server context (protocol "TLS", the JDK's defaults) presenting this certificate. */
    public SSLContext toServerSslContext() {
        char[] password = "netwatcher".toCharArray();
        try {
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(toKeyStore(password), password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(factory.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot build a TLS context", e);
        }
    }

    /** Writes the chain (leaf first) to {@code certFile} and the key to {@code keyFile} (mode 0600). */
    public void writePem(Path certFile, Path keyFile) {
        PemFiles.writePrivateKey(keyFile, key);
        PemFiles.writeCertificates(certFile, chain());
    }

    /**
     * Reads a certificate file (leaf first; the last of several certificates is taken as the CA)
     * and its key file.
     */
    public static IssuedCertificate readPem(Path certFile, Path keyFile) {
        List<X509Certificate> certificates = PemFiles.readCertificates(certFile);
        X509Certificate ca = certificates.size() > 1 ? certificates.getLast() : null;
        return new IssuedCertificate(certificates.getFirst(), PemFiles.readPrivateKey(keyFile), ca);
    }

    @Override
    public String toString() {
        return "IssuedCertificate[" + certificate.getSubjectX500Principal().getName()
                + ", notAfter=" + certificate.getNotAfter().toInstant() + "]";
    }
}
