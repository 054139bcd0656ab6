package netwatcher.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The certificate problem behind a failed handshake, from the JDK's exception chains. */
class TlsProblemTest {
    static SSLHandshakeException handshake(String message, Throwable cause) {
        SSLHandshakeException e = new SSLHandshakeException(message);
        if (cause != null) e.initCause(cause);
        return e;
    }

    @Test
    void of_namesTheCertificateProblem() {
        assertEquals(TlsProblem.CERTIFICATE_EXPIRED, TlsProblem.of(handshake("PKIX path validation failed",
                new java.security.cert.CertPathValidatorException("validity check failed", new CertificateExpiredException("NotAfter")))));
        assertEquals(TlsProblem.NAME_MISMATCH, TlsProblem.of(handshake("No subject alternative DNS name matching web found.",
                new CertificateException("No subject alternative DNS name matching web found."))));
        assertEquals(TlsProblem.UNTRUSTED_CERTIFICATE, TlsProblem.of(handshake("PKIX path building failed: unable to find valid"
                + " certification path to requested target", null)));
        assertEquals(TlsProblem.HANDSHAKE_FAILURE, TlsProblem.of(handshake("Received fatal alert: handshake_failure", null)));
        assertEquals("NameMismatch", TlsProblem.NAME_MISMATCH.wire());
    }
}
