package netwatcher.pki;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * Reads and writes PEM files: certificates ({@code CERTIFICATE} blocks) and private keys (PKCS#8
 * {@code PRIVATE KEY} on write; PKCS#8, {@code EC PRIVATE KEY} and {@code RSA PRIVATE KEY} on read).
 * Private keys are written with owner-only permissions (0600) from the moment the file exists.
 *
 * <p>Stateless and thread-safe.
 */
public final class PemFiles {
    private PemFiles() {}

    /** Every certificate in {@code file}, in file order (leaf first for a chain). */
    public static List<X509Certificate> readCertificates(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            List<X509Certificate> certificates = new ArrayList<>();
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                if (object instanceof X509CertificateHolder holder) {
                    certificates.add(converter.getCertificate(holder));
                }
            }
            if (certificates.isEmpty()) {
                throw new PkiException("no CERTIFICATE block in " + file);
            }
            return List.copyOf(certificates);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read certificates from " + file, e);
        } catch (CertificateException e) {
            throw new PkiException("malformed certificate in " + file, e);
        }
    }

    /** The first private key in {@code file} (PKCS#8, SEC1 EC or PKCS#1 RSA; unencrypted). */
    public static PrivateKey readPrivateKey(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                if (object instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (object instanceof PEMKeyPair pair) {
                    return converter.getKeyPair(pair).getPrivate();
                }
            }
            throw new PkiException("no unencrypted private key in " + file
                    + " (expected PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY)");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read private key from " + file, e);
        }
    }

    /** PEM text of the given certificates, in order. */
    public static String toPem(List<X509Certificate> certificates) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (X509Certificate certificate : certificates) {
                writer.writeObject(certificate);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** PKCS#8 PEM text of a private key. */
    public static String toPem(PrivateKey key) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(new JcaPKCS8Generator(key, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Writes certificates to {@code file} (replacing it atomically), world-readable (0644). */
    public static void writeCertificates(Path file, List<X509Certificate> certificates) {
        SecureFiles.writeAtomically(file, toPem(certificates), false);
    }

    /** Writes a private key to {@code file} (replacing it atomically) with mode 0600. */
    public static void writePrivateKey(Path file, PrivateKey key) {
        SecureFiles.writeAtomically(file, toPem(key), true);
    }
}
