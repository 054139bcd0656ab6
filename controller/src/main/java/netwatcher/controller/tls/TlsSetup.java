package netwatcher.controller.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import netwatcher.pki.CertificateAuthority;
import netwatcher.pki.IssuedCertificate;
import netwatcher.pki.PemFiles;
import netwatcher.pki.PkiException;

/**
 * Prepares the controller's TLS material under {@code DATA_DIR/tls}:
 * <ul>
 * <li>{@code ca.pem}, {@code ca-key.pem} (0600): netwatcher's CA, made once;</li>
 * <li>{@code server.pem} (chain, leaf first), {@code server-key.pem} (0600): the server
 * certificate, re-issued when one of the {@linkplain #requiredNames required names} is missing, it
 * expires within {@link TlsConfig#renewBefore()}, it no longer chains to {@code ca.pem}, or the key
 * does not match.</li>
 * </ul>
 * With a user-supplied certificate ({@link TlsConfig#certificateFile()}) nothing is generated: the
 * chain and key are loaded as they are.
 *
 * <p>Thread-safe (stateless apart from its immutable inputs); call {@link #ensure()} once at start.
 */
public final class TlsSetup {
    /** Address of the controller on the lab management network; lab agents connect to it. */
    public static final String LAB_MANAGEMENT_ADDRESS = "198.19.255.1";
    /** Directory under the data directory holding the TLS files. */
    public static final String TLS_DIR = "tls";
    public static final String SERVER_CERTIFICATE_FILE = "server.pem";
    public static final String SERVER_KEY_FILE = "server-key.pem";

    private final Path dataDir;
    private final TlsConfig config;
    private final Clock clock;

    public TlsSetup(Path dataDir, TlsConfig config, Clock clock) {
        this.dataDir = dataDir.toAbsolutePath();
        this.config = config;
        this.clock = clock;
    }

    /** As {@code new TlsSetup(dataDir, config, Clock.systemUTC()).ensure()}. */
    public static TlsMaterial ensure(Path dataDir, TlsConfig config) {
        return new TlsSetup(dataDir, config, Clock.systemUTC()).ensure();
    }

    /** The TLS directory under the data directory. */
    public Path tlsDir() { return dataDir.resolve(TLS_DIR); }

    /**
     * The subjectAltNames a generated certificate must carry: localhost, the host name, 127.0.0.1,
     * ::1, {@value #LAB_MANAGEMENT_ADDRESS} and the configured extras. DNS names are lower case; IP
     * addresses in {@link InetAddress#getHostAddress()} form.
     */
    public RequiredNames requiredNames() {
        Set<String> dns = new LinkedHashSet<>();
        Set<InetAddress> ips = new LinkedHashSet<>();
        dns.add("localhost");
        hostName().ifPresent(name -> dns.add(name.toLowerCase(Locale.ROOT)));
        ips.add(InetAddress.ofLiteral("127.0.0.1"));
        ips.add(InetAddress.ofLiteral("::1"));
        ips.add(InetAddress.ofLiteral(LAB_MANAGEMENT_ADDRESS));
        for (String extra : config.extraSubjectAltNames()) {
            Optional<InetAddress> ip = ipLiteral(extra);
            if (ip.isPresent()) {
                ips.add(ip.get());
            } else {
                dns.add(extra.toLowerCase(Locale.ROOT));
            }
        }
        return new RequiredNames(List.copyOf(dns), List.copyOf(ips));
    }

    /** DNS and IP subjectAltNames. */
    public record RequiredNames(List<String> dnsNames, List<InetAddress> ipAddresses) {
        public RequiredNames {
            dnsNames = List.copyOf(dnsNames);
            ipAddresses = List.copyOf(ipAddresses);
        }
    }

    /** Makes sure the files exist and are fit, and returns what the HTTPS server needs. */
    public TlsMaterial ensure() {
        if (config.certificateFile().isPresent()) {
            return userSupplied(config.certificateFile().get(), config.keyFile().orElseThrow());
        }
        Path dir = tlsDir();
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir, "netwatcher CA (" + hostName().orElse("controller") + ")", clock);
        Path certFile = dir.resolve(SERVER_CERTIFICATE_FILE);
        Path keyFile = dir.resolve(SERVER_KEY_FILE);
        RequiredNames required = requiredNames();
        String reason = reissueReason(ca, certFile, keyFile, required);
        boolean reissue = reason != null;
        if (reissue) {
            IssuedCertificate issued = ca.issueServer(required.dnsNames(), required.ipAddresses(), config.validity());
            issued.writePem(certFile, keyFile);
        } else {
            reason = "server certificate is current";
        }
        IssuedCertificate served = IssuedCertificate.readPem(certFile, keyFile);
        return material(served.chain(), served.key(), certFile, Optional.of(ca.caCertificatePath()), reissue, reason);
    }

    /** Why the server certificate must be (re-)issued, or {@code null} when it is fine. */
    String reissueReason(CertificateAuthority ca, Path certFile, Path keyFile, RequiredNames required) {
        if (!Files.exists(certFile) || !Files.exists(keyFile)) {
            return "no server certificate yet";
        }
        IssuedCertificate existing;
        try {
            existing = IssuedCertificate.readPem(certFile, keyFile);
        } catch (PkiException | UncheckedIOException e) {
            return "existing server certificate unusable: " + e.getMessage();
        }
        X509Certificate leaf = existing.certificate();
        try {
            leaf.verify(ca.certificate().getPublicKey());
        } catch (GeneralSecurityException e) {
            return "server certificate is not signed by " + ca.caCertificatePath();
        }
        Instant now = clock.instant();
        Instant notAfter = leaf.getNotAfter().toInstant();
        if (!notAfter.isAfter(now.plus(config.renewBefore()))) {
            return "server certificate expires " + notAfter + " (renewing " + config.renewBefore().toDays() + " days ahead)";
        }
        if (leaf.getNotBefore().toInstant().isAfter(now)) {
            return "server certificate is not valid before " + leaf.getNotBefore().toInstant();
        }
        Names present = namesOf(leaf);
        List<String> missing = new ArrayList<>();
        required.dnsNames().stream().filter(name -> !present.dns().contains(name)).forEach(missing::add);
        required.ipAddresses().stream().filter(ip -> !present.ips().contains(ip))
                .map(InetAddress::getHostAddress).forEach(missing::add);
        if (!missing.isEmpty()) {
            return "server certificate lacks subjectAltName " + String.join(", ", missing);
        }
        return null;
    }

    private record Names(Set<String> dns, Set<InetAddress> ips) {}

    private static Names namesOf(X509Certificate certificate) {
        Set<String> dns = new LinkedHashSet<>();
        Set<InetAddress> ips = new LinkedHashSet<>();
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> entry : names) {
                    int type = (Integer) entry.get(0);
                    String value = String.valueOf(entry.get(1));
                    if (type == 2) {
                        dns.add(value.toLowerCase(Locale.ROOT));
                    } else if (type == 7) {
                        ipLiteral(value).ifPresent(ips::add);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // treated as "no names": the certificate gets re-issued
        }
        return new Names(dns, ips);
    }

    private TlsMaterial userSupplied(Path certFile, Path keyFile) {
        List<X509Certificate> chain = PemFiles.readCertificates(certFile);
        PrivateKey key = PemFiles.readPrivateKey(keyFile);
        // Validates that the key belongs to the leaf.
        new IssuedCertificate(chain.getFirst(), key, null);
        Instant notAfter = chain.getFirst().getNotAfter().toInstant();
        String reason = "user-supplied certificate " + certFile
                + (notAfter.isBefore(clock.instant()) ? " EXPIRED at " + notAfter : " valid until " + notAfter);
        return material(chain, key, certFile.toAbsolutePath(), Optional.empty(), false, reason);
    }

    private static TlsMaterial material(List<X509Certificate> chain, PrivateKey key, Path certFile,
                                        Optional<Path> ca, boolean reissued, String reason) {
        byte[] random = netwatcher.controller.auth.Secrets.randomBytes(24);
        char[] password = Base64.getUrlEncoder().withoutPadding().encodeToString(random).toCharArray();
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(IssuedCertificate.KEY_ALIAS, key, password, chain.toArray(Certificate[]::new));
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return new TlsMaterial(store, password, context, chain, certFile, ca, reissued, reason);
        } catch (GeneralSecurityException | IOException e) {
            throw new PkiException("cannot build the TLS key store from " + certFile, e);
        }
    }

    private Optional<String> hostName() {
        if (config.hostName().isPresent()) {
            return config.hostName();
        }
        return detectHostName();
    }

    /** The machine's host name: {@code InetAddress.getLocalHost()}, else {@code /etc/hostname}. */
    static Optional<String> detectHostName() {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            if (name != null && !name.isBlank() && ipLiteral(name).isEmpty()) {
                return Optional.of(name);
            }
        } catch (UnknownHostException e) {
            // fall through
        }
        try {
            Path etc = Path.of("/etc/hostname");
            if (Files.isReadable(etc)) {
                String name = Files.readString(etc).strip();
                if (!name.isEmpty()) {
                    return Optional.of(name);
                }
            }
        } catch (IOException e) {
            // no host name: localhost and the addresses remain
        }
        return Optional.empty();
    }

    static Optional<InetAddress> ipLiteral(String text) {
        String value = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        try {
            return Optional.of(InetAddress.ofLiteral(value));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
