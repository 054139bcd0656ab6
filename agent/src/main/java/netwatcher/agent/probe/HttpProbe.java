package netwatcher.agent.probe;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import netwatcher.model.check.ProbeSpec;

/**
 * One HTTP(S) probe: a fresh TCP connection (so every probe crosses the path and its firewalls like
 * a new client, and a keep-alive connection cannot hide a drop), TLS with server-name check for
 * HTTPS, one request with the configured method and headers, and the status line. The status
 * decides: inside {@code validStatusCodes} (default 2xx) is connected, anything else is
 * {@code httpStatusMismatch}, so a proxy or the wrong service answering does not count as reachable.
 * A connect that fails other than by timeout is classified by one {@link TcpSyn} attempt right
 * after (the JDK's exceptions cannot tell an RST from ICMP port-unreachable nor name the ICMP sender).
 *
 * <p>Thread-safety: stateless; the SSL context is shared.
 */
final class HttpProbe {
    private HttpProbe() {}

    static ProbeResult attempt(ProbeTarget target, SSLContext tls, Duration timeout) {
        boolean https = target.protocol() == ProbeTarget.Protocol.HTTPS;
        ProbeSpec.Http http = target.http() == null ? netwatcher.model.check.Destinations.defaultHttp("/") : target.http();
        InetSocketAddress dst = target.destination();
        long start = System.nanoTime();
        Socket plain = new Socket();
        try {
            plain.setSoLinger(true, 0);
            plain.setReuseAddress(true);
            if (target.source() != null && (target.source().getPort() != 0 || !target.source().getAddress().isAnyLocalAddress())) {
                try {
                    plain.bind(target.source());
                } catch (IOException e) {
                    return new ProbeResult(ProbeOutcome.ERROR, null, "local", null, null, "bind: " + e.getMessage());
                }
            }
            try {
                plain.connect(dst, (int) timeout.toMillis());
            } catch (SocketTimeoutException e) {
                return new ProbeResult(ProbeOutcome.TIMEOUT, null, null, null, null, null);
            } catch (IOException e) {
                ProbeResult again = ProbeResult.of(TcpSyn.attempt(dst, null, 0, timeout), dst.getAddress());
                return again.succeeded()
                        ? new ProbeResult(ProbeOutcome.ERROR, null, null, null, null, "connect: " + e.getMessage())
                        : again;
            }
            long left = timeout.toMillis() - (System.nanoTime() - start) / 1_000_000;
            plain.setSoTimeout((int) Math.max(1, left));
            Socket socket = plain;
            String host = target.hostName() != null ? target.hostName() : Addresses.text(dst.getAddress());
            if (https) {
                SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(plain, host, dst.getPort(), true);
                SSLParameters params = ssl.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                if (target.hostName() != null && !target.hostName().matches("[0-9.:]+")) {
                    params.setServerNames(List.of(new SNIHostName(target.hostName())));
                }
                ssl.setSSLParameters(params);
                try {
                    ssl.startHandshake();
                } catch (SSLException e) {
                    TlsProblem problem = TlsProblem.of(e);
                    return new ProbeResult(ProbeOutcome.TLS_FAILURE, null, Addresses.text(dst.getAddress()), null, null,
                            "TLS " + problem.wire() + ": " + e.getMessage(), problem);
                }
                socket = ssl;
            }
            int defaultPort = https ? 443 : 80;
            String hostHeader = (host.contains(":") ? "[" + host + "]" : host) + (dst.getPort() == defaultPort ? "" : ":" + dst.getPort());
            StringBuilder request = new StringBuilder();
            String method = http.method() == null || http.method().isBlank() ? "GET" : http.method().toUpperCase(Locale.ROOT);
            String path = http.path() == null || http.path().isBlank() ? "/" : http.path();
            request.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
            request.append("Host: ").append(hostHeader).append("\r\n");
            boolean userAgent = false;
            for (ProbeSpec.Header h : http.headers()) {
                if (h.name() == null || h.name().isBlank() || h.name().equalsIgnoreCase("Host")
                        || h.name().equalsIgnoreCase("Connection")) continue;
                if (h.name().equalsIgnoreCase("User-Agent")) userAgent = true;
                request.append(clean(h.name())).append(": ").append(clean(h.value())).append("\r\n");
            }
            if (!userAgent) request.append("User-Agent: netwatcher-probe\r\n");
            request.append("Connection: close\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String statusLine = readLine(socket.getInputStream());
            double latency = (System.nanoTime() - start) / 1_000_000.0;
            String[] parts = statusLine == null ? new String[0] : statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/") || !parts[1].matches("\\d{3}")) {
                return new ProbeResult(ProbeOutcome.ERROR, null, Addresses.text(dst.getAddress()), null, null,
                        "not an HTTP answer: " + statusLine);
            }
            int status = Integer.parseInt(parts[1]);
            boolean valid = http.validStatusCodes().isEmpty() ? status >= 200 && status < 300
                    : http.validStatusCodes().contains(status);
            return valid
                    ? new ProbeResult(ProbeOutcome.CONNECTED, latency, Addresses.text(dst.getAddress()), null, status, null)
                    : new ProbeResult(ProbeOutcome.HTTP_STATUS_MISMATCH, null, Addresses.text(dst.getAddress()), null, status,
                            "HTTP " + status + " is not in validStatusCodes "
                                    + (http.validStatusCodes().isEmpty() ? "2xx" : http.validStatusCodes()));
        } catch (SocketTimeoutException e) {
            return new ProbeResult(ProbeOutcome.TIMEOUT, null, Addresses.text(dst.getAddress()), null, null,
                    "connected, but no HTTP status line within the timeout");
        } catch (IOException e) {
            return new ProbeResult(ProbeOutcome.ERROR, null, Addresses.text(dst.getAddress()), null, null, e.toString());
        } finally {
            try {
                plain.close();
            } catch (IOException ignored) {
                // closing a probe socket
            }
        }
    }

    private static String clean(String s) { return s == null ? "" : s.replaceAll("[\\r\\n]", " "); }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < 8192; i++) {
            int c = in.read();
            if (c < 0) return line.isEmpty() ? null : line.toString();
            if (c == '\n') break;
            if (c != '\r') line.append((char) c);
        }
        return line.toString();
    }
}
