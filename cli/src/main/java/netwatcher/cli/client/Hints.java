package netwatcher.cli.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.security.cert.CertificateException;
import java.util.Locale;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * The fix each common failure needs, in words: a failed connection is classified from its exception
 * chain (refused, unknown host, timeout, untrusted certificate, TLS spoken to a plain port, plain
 * HTTP spoken to a TLS port), an HTTP 401/403 gets the login or role step that cures it. Only what
 * the exception proves is named; anything else is reported as what happened, without a guess.
 * Stateless.
 */
final class Hints {
    /** Where the CA of a local controller is, and how to give it. */
    static final String CA_FILE = "give the controller's CA certificate with `nw login --endpoint URL --ca-file FILE` "
            + "(`./nw up` writes it to DATA_DIR/tls/ca.pem, by default .nw-data/tls/ca.pem)";

    private Hints() {}

    /** The message for a request to {@code url} that failed with {@code e} before any HTTP answer. */
    static String forConnectionFailure(URI url, IOException e) {
        String at = url.getHost() + ":" + port(url);
        boolean tls = "https".equalsIgnoreCase(url.getScheme());
        if (has(e, ConnectException.class) && !has(e, HttpConnectTimeoutException.class)) {
            return "nothing listens at " + at + " (connection refused): start the controller (`./nw up`) or give its port, "
                    + "e.g. `nw login --endpoint " + url.getScheme() + "://" + url.getHost() + ":8443 ...`";
        }
        if (has(e, UnknownHostException.class)) {
            return "unknown host '" + url.getHost() + "': check the endpoint's host name (`nw login --endpoint URL`)";
        }
        if (has(e, HttpTimeoutException.class)) {
            return at + " did not answer in time (" + e.getMessage() + "): check that the host is up and no firewall drops the port";
        }
        if (tls && (has(e, CertificateException.class) || has(e, SSLHandshakeException.class) && mentions(e, "PKIX", "certificat"))) {
            return "the certificate of " + at + " is not trusted: " + CA_FILE;
        }
        if (tls && has(e, SSLException.class) && mentions(e, "plaintext", "unrecognized SSL message", "Unsupported or unrecognized")) {
            return at + " does not speak TLS: use http://" + at + " as the endpoint";
        }
        if (!tls) {
            return at + " closed the connection to a plain-HTTP request (" + describe(e) + "); if it is a TLS port, such as the "
                    + "controller's, use https://" + at + " as the endpoint";
        }
        return "cannot reach " + url.getScheme() + "://" + at + ": " + describe(e);
    }

    /** {@code message} of an HTTP error answer, with the step that fixes a 401 or 403. */
    static String forStatus(int status, String message) {
        return switch (status) {
            case 401 -> message + " — the token is wrong or expired: log in again with `nw login --endpoint URL --token T` "
                    + "(a local controller's admin token is DATA_DIR/admin.token) or `--service-principal`";
            case 403 -> message + " — the principal lacks a role for this: an administrator grants one with "
                    + "`nw admin role assign --principal ID --role Reader|Contributor --scope /subscriptions/SUB`";
            default -> message;
        };
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private static boolean has(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) if (type.isInstance(t)) return true;
        return false;
    }

    private static boolean mentions(Throwable e, String... words) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m == null) continue;
            for (String w : words) if (m.toLowerCase(Locale.ROOT).contains(w.toLowerCase(Locale.ROOT))) return true;
        }
        return false;
    }

    /** What happened, for a failure no rule above explains: the innermost message, else the type. */
    private static String describe(Throwable e) {
        Throwable inner = e;
        while (inner.getCause() != null) inner = inner.getCause();
        String m = inner.getMessage();
        return m == null || m.isBlank() ? "the connection failed (" + inner.getClass().getSimpleName() + ")" : m;
    }
}
