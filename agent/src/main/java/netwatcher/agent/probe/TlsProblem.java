package netwatcher.agent.probe;

import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;

/**
 * Why a TLS handshake of an HTTPS probe failed, from the JDK's exception chain: the certificate chain ends at no
 * trusted CA, the certificate does not name the host, it is expired or not yet valid, or the handshake failed for
 * another reason (no common protocol or cipher, an alert from the server, a non-TLS answer). {@link #wire()} is the
 * value of the {@code Problem} context of a {@code TlsHandshake} issue.
 */
public enum TlsProblem {
    UNTRUSTED_CERTIFICATE("UntrustedCertificate"),
    NAME_MISMATCH("NameMismatch"),
    CERTIFICATE_EXPIRED("CertificateExpired"),
    CERTIFICATE_NOT_YET_VALID("CertificateNotYetValid"),
    HANDSHAKE_FAILURE("HandshakeFailure");

    private final String wire;

    TlsProblem(String wire) { this.wire = wire; }

    public String wire() { return wire; }

    /** The problem behind a failed handshake. */
    public static TlsProblem of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CertificateExpiredException) return CERTIFICATE_EXPIRED;
            if (t instanceof CertificateNotYetValidException) return CERTIFICATE_NOT_YET_VALID;
            if (t instanceof CertPathValidatorException v && v.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
                return CERTIFICATE_EXPIRED;
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            // the JDK's HostnameChecker: "No subject alternative DNS name matching x found." / "No name matching x found"
            if (message.contains("no subject alternative") || message.contains("no name matching")) return NAME_MISMATCH;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String name = t.getClass().getName();
            if (name.endsWith("SunCertPathBuilderException") || t instanceof CertPathValidatorException
                    || (t.getMessage() != null && t.getMessage().contains("PKIX path"))) {
                return UNTRUSTED_CERTIFICATE;
            }
        }
        return HANDSHAKE_FAILURE;
    }
}
