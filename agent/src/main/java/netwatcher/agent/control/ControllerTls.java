package netwatcher.agent.control;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

/**
 * The TLS trust of the agent's connection to the controller: only the CA certificates of the
 * configured PEM file (the controller's generated CA), or the JDK's system CAs when no file is
 * configured. Stateless; thread-safe.
 */
public final class ControllerTls {
    private ControllerTls() {}

    /**
     * An SSL context that trusts exactly the certificates in {@code caFile}, or the system CAs when it is null.
     *
     * @throws IllegalArgumentException naming the file when it holds no certificate or cannot be read
     */
    public static SSLContext context(Path caFile) {
        try {
            if (caFile == null) return SSLContext.getDefault();
            return trusting(caFile);
        } catch (NoCertificate e) {
            throw new IllegalArgumentException("agent setting ca-file " + caFile + " holds no PEM certificate");
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("agent setting ca-file " + caFile + " is not a readable PEM certificate file: "
                    + e.getMessage(), e);
        }
    }

    /**
     * An SSL context that trusts exactly the certificates of the PEM file {@code caPem}; for every
     * client of the controller (agent, nw, the lab's admin calls, benchmarks).
     *
     * @throws NoCertificate when the file holds none
     */
    public static SSLContext trusting(Path caPem) throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(caPem)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (certs.isEmpty()) throw new NoCertificate(caPem + " holds no PEM certificate");
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int i = 0;
        for (Certificate cert : certs) store.setCertificateEntry("ca-" + i++, cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** A CA file without any certificate. */
    public static final class NoCertificate extends GeneralSecurityException {
        NoCertificate(String message) { super(message); }
    }
}
