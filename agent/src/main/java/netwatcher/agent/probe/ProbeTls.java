package netwatcher.agent.probe;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** TLS trust for HTTPS probes: the system (JDK) CAs plus the PEM certificates of an optional extra file. */
public final class ProbeTls {
    private ProbeTls() {}

    /**
     * An SSL context trusting the default CAs and every certificate in {@code extraCaFile}.
     *
     * @param extraCaFile PEM file (agent setting {@code probe-ca-file}), or null for the default CAs only
     * @throws IllegalArgumentException naming the file when it cannot be read or holds no certificate
     */
    public static SSLContext context(Path extraCaFile) {
        return build(extraCaFile, extraCaFile == null ? List.of() : read(extraCaFile));
    }

    /**
     * As {@link #context}, but the context (and the system CA store behind it, about a megabyte of heap
     * and a few hundred classes) is built by the first HTTPS probe; the extra file is read and checked now.
     *
     * @throws IllegalArgumentException as {@link #context}, at once
     */
    public static Supplier<SSLContext> lazy(Path extraCaFile) {
        Collection<? extends Certificate> extra = extraCaFile == null ? List.of() : read(extraCaFile);
        return new Supplier<>() {
            private SSLContext built;

            @Override
            public synchronized SSLContext get() {
                if (built == null) built = build(extraCaFile, extra);
                return built;
            }
        };
    }

    private static Collection<? extends Certificate> read(Path extraCaFile) {
        Collection<? extends Certificate> extra;
        try (InputStream in = Files.newInputStream(extraCaFile)) {
            extra = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("agent setting probe-ca-file " + extraCaFile
                    + " is not a readable PEM certificate file: " + e.getMessage(), e);
        }
        if (extra.isEmpty()) {
            throw new IllegalArgumentException("agent setting probe-ca-file " + extraCaFile + " holds no PEM certificate");
        }
        return extra;
    }

    private static SSLContext build(Path extraCaFile, Collection<? extends Certificate> extra) {
        try {
            if (extra.isEmpty()) return SSLContext.getDefault();
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            TrustManagerFactory system = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            system.init((KeyStore) null);
            int i = 0;
            for (TrustManager tm : system.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    for (X509Certificate c : x.getAcceptedIssuers()) store.setCertificateEntry("system-" + i++, c);
                }
            }
            for (Certificate c : extra) store.setCertificateEntry("extra-" + i++, c);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("trust for HTTPS probes (system CAs plus " + extraCaFile + "): " + e.getMessage(), e);
        }
    }
}
