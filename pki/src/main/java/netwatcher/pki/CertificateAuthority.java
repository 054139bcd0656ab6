package netwatcher.pki;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * netwatcher's own certificate authority. {@link #loadOrCreate(Path, String)} makes an EC P-384 CA
 * with a 10-year self-signed certificate on first call ({@code dir/ca.pem}, and {@code dir/ca-key.pem}
 * with mode 0600) and loads the same pair on every later call, so every server certificate it
 * issues chains to one {@code ca.pem} that users add to their trust store once.
 *
 * <p>Certificates are made with BouncyCastle's builders and signed through the JDK's own providers;
 * no security provider is registered globally. Creation is guarded by a file lock in {@code dir},
 * so two processes starting at once end up with the same CA.
 *
 * <p>Immutable and thread-safe once loaded.
 */
public final class CertificateAuthority {
    /** The CA certificate's file name inside the CA directory. */
    public static final String CERTIFICATE_FILE = "ca.pem";
    /** The CA private key's file name inside the CA directory (mode 0600). */
    public static final String KEY_FILE = "ca-key.pem";
    /** Validity of a newly created CA certificate. */
    public static final Duration CA_VALIDITY = Duration.ofDays(3652);
    /** Backdating of {@code notBefore}, so peers with slightly late clocks accept new certificates. */
    static final Duration BACKDATE = Duration.ofMinutes(5);
    /**
     * The curve of every key made here: P-384, not P-256. A JDK client verifying a P-256 signature or
     * making a P-256 key share first builds the curve's precomputed generator table, about 80 ms of CPU
     * in a short-lived JVM such as {@code nw}'s (BENCHMARKS.md §6); P-384 has no such table and costs a
     * client a few milliseconds. CAs made before this change (P-256) keep working: signatures follow
     * the CA's own key ({@link #signatureAlgorithm}).
     */
    static final String CURVE = "secp384r1";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path directory;
    private final X509Certificate certificate;
    private final PrivateKey key;
    private final Clock clock;

    private CertificateAuthority(Path directory, X509Certificate certificate, PrivateKey key, Clock clock) {
        this.directory = directory;
        this.certificate = certificate;
        this.key = key;
        this.clock = clock;
    }

    /** As {@link #loadOrCreate(Path, String, Clock)} with the system clock. */
    public static CertificateAuthority loadOrCreate(Path dir, String name) {
        return loadOrCreate(dir, name, Clock.systemUTC());
    }

    /**
     * Loads the CA in {@code dir}, or creates it (subject {@code CN=<name>, O=netwatcher}) when
     * neither file exists. A directory holding only one of the two files is an error, never
     * silently overwritten: a CA that users already trust must not be replaced by accident.
     */
    public static CertificateAuthority loadOrCreate(Path dir, String name, Clock clock) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(clock, "clock");
        Path directory = dir.toAbsolutePath();
        try {
            SecureFiles.createDirectories(directory, true);
            try (FileChannel lockChannel = FileChannel.open(directory.resolve(".ca.lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockChannel.lock()) {
                Path certFile = directory.resolve(CERTIFICATE_FILE);
                Path keyFile = directory.resolve(KEY_FILE);
                boolean haveCert = Files.exists(certFile);
                boolean haveKey = Files.exists(keyFile);
                if (haveCert && haveKey) {
                    return load(directory, certFile, keyFile, clock);
                }
                if (haveCert || haveKey) {
                    throw new PkiException("CA directory " + directory + " holds only "
                            + (haveCert ? CERTIFICATE_FILE : KEY_FILE) + "; restore the missing file or remove both"
                            + " to create a new CA (clients trusting the old one must then trust the new " + CERTIFICATE_FILE + ")");
                }
                CertificateAuthority created = create(directory, name, clock);
                PemFiles.writePrivateKey(keyFile, created.key);
                PemFiles.writeCertificates(certFile, List.of(created.certificate));
                return created;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load or create the CA in " + directory, e);
        }
    }

    private static CertificateAuthority load(Path directory, Path certFile, Path keyFile, Clock clock) {
        X509Certificate certificate = PemFiles.readCertificates(certFile).getFirst();
        PrivateKey key = PemFiles.readPrivateKey(keyFile);
        if (certificate.getBasicConstraints() < 0) {
            throw new PkiException(certFile + " is not a CA certificate (BasicConstraints CA is not set)");
        }
        if (!matches(certificate.getPublicKey(), key)) {
            throw new PkiException(keyFile + " does not belong to the certificate in " + certFile);
        }
        return new CertificateAuthority(directory, certificate, key, clock);
    }

    private static CertificateAuthority create(Path directory, String name, Clock clock) {
        KeyPair pair = newKeyPair();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "netwatcher").addRDN(BCStyle.CN, name).build();
        Instant now = clock.instant();
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(CA_VALIDITY)), subject, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(pair.getPublic()));
            return new CertificateAuthority(directory, sign(builder, pair.getPrivate()), pair.getPrivate(), clock);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new PkiException("cannot create CA certificate for " + name, e);
        }
    }

    /**
     * Issues a server certificate (new EC P-384 key) valid from now for {@code validity}, with the
     * given names as subjectAltName entries, ExtendedKeyUsage serverAuth and KeyUsage
     * digitalSignature. The subject CN is the first DNS name (or the first address).
     */
    public IssuedCertificate issueServer(List<String> dnsNames, List<InetAddress> ipAddresses, Duration validity) {
        List<String> dns = List.copyOf(dnsNames);
        List<InetAddress> ips = List.copyOf(ipAddresses);
        if (dns.isEmpty() && ips.isEmpty()) {
            throw new IllegalArgumentException("a server certificate needs at least one DNS name or IP address");
        }
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive, was " + validity);
        }
        List<GeneralName> names = new ArrayList<>();
        dns.forEach(name -> names.add(new GeneralName(GeneralName.dNSName, name)));
        ips.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip.getHostAddress())));
        String commonName = dns.isEmpty() ? ips.getFirst().getHostAddress() : dns.getFirst();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "netwatcher").addRDN(BCStyle.CN, commonName).build();
        KeyPair pair = newKeyPair();
        Instant now = clock.instant();
        Instant notAfter = now.plus(validity);
        if (notAfter.isAfter(certificate.getNotAfter().toInstant())) {
            notAfter = certificate.getNotAfter().toInstant();
        }
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(),
                    Date.from(now.minus(BACKDATE)), Date.from(notAfter), subject, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(names.toArray(GeneralName[]::new)))
                    .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(pair.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(certificate));
            return new IssuedCertificate(sign(builder, key), pair.getPrivate(), certificate);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new PkiException("cannot issue server certificate for " + names, e);
        }
    }

    /** The CA certificate. */
    public X509Certificate certificate() { return certificate; }

    /** Where the CA certificate lives: the file users add to their trust store. */
    public Path caCertificatePath() { return directory.resolve(CERTIFICATE_FILE); }

    /** A PKCS12 trust store holding only this CA's certificate (alias {@code netwatcher-ca}). */
    public KeyStore trustStore() {
        return trustStoreOf(certificate);
    }

    /** A PKCS12 trust store holding only {@code caCertificate}. */
    public static KeyStore trustStoreOf(X509Certificate caCertificate) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("netwatcher-ca", caCertificate);
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new PkiException("cannot build a trust store", e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signingKey)
            throws GeneralSecurityException {
        try {
            ContentSigner signer = new JcaContentSignerBuilder(signatureAlgorithm(signingKey)).build(signingKey);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(CURVE), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new PkiException("EC " + CURVE + " key generation is not available", e);
        }
    }

    /**
     * The signature a CA key makes: ECDSA with the hash that matches the curve's size (SHA-256 for a
     * P-256 key of an older CA, SHA-384 for P-384), SHA-256 with RSA for an RSA key.
     */
    static String signatureAlgorithm(PrivateKey signingKey) {
        return switch (signingKey) {
            case java.security.interfaces.ECPrivateKey ec -> ec.getParams().getOrder().bitLength() > 256
                    ? "SHA384withECDSA" : "SHA256withECDSA";
            case java.security.interfaces.RSAPrivateKey ignored -> "SHA256withRSA";
            default -> throw new PkiException("unsupported CA key algorithm " + signingKey.getAlgorithm());
        };
    }

    private static BigInteger serial() {
        return new BigInteger(159, RANDOM).add(BigInteger.ONE);
    }

    /** Whether {@code key} is the private half of {@code publicKey} (sign-and-verify check). */
    static boolean matches(PublicKey publicKey, PrivateKey key) {
        try {
            String algorithm = switch (publicKey.getAlgorithm()) {
                case "EC" -> "SHA256withECDSA";
                case "RSA" -> "SHA256withRSA";
                case "Ed25519", "EdDSA" -> "Ed25519";
                default -> throw new PkiException("unsupported key algorithm " + publicKey.getAlgorithm());
            };
            byte[] probe = new byte[32];
            RANDOM.nextBytes(probe);
            java.security.Signature signer = java.security.Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "CertificateAuthority[" + certificate.getSubjectX500Principal().getName() + ", " + caCertificatePath() + "]";
    }

}
