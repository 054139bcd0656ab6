package netwatcher.controller.testsupport;

import netwatcher.pki.CertificateAuthority;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Test helper: a real TLS handshake on loopback with JDK classes only. The server presents a key
 * store; the client trusts only the given CA certificate and checks the host name (HTTPS rules).
 */
public final class TlsHandshakes {
    private TlsHandshakes() {}

    /** A client context trusting only {@code ca}. */
    public static SSLContext clientTrusting(X509Certificate ca) throws GeneralSecurityException {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(CertificateAuthority.trustStoreOf(ca));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /** A server context from a key store. */
    public static SSLContext server(KeyStore keyStore, char[] password) throws GeneralSecurityException {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(keyStore, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    /**
     * Serves one connection on an ephemeral loopback port with {@code server}, connects with
     * {@code client} naming the server {@code hostName}, exchanges one byte each way and returns the
     * certificate the client saw. Throws the client's handshake failure.
     */
    public static X509Certificate handshake(SSLContext server, SSLContext client, String hostName)
            throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 1, loopback)) {
            CompletableFuture<Integer> served = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket socket = (SSLSocket) listener.accept()) {
                    socket.setSoTimeout(10_000);
                    InputStream in = socket.getInputStream();
                    int value = in.read();
                    OutputStream out = socket.getOutputStream();
                    out.write(value + 1);
                    out.flush();
                    return value;
                } catch (IOException e) {
                    return -1;
                }
            });
            try (java.net.Socket plain = new java.net.Socket()) {
                plain.connect(new java.net.InetSocketAddress(loopback, listener.getLocalPort()), 10_000);
                plain.setSoTimeout(10_000);
                // Layer TLS over the connected socket naming hostName: the JDK checks the certificate against it.
                SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(
                        plain, hostName, listener.getLocalPort(), true);
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                if (!isIp(hostName)) {
                    parameters.setServerNames(java.util.List.of(new javax.net.ssl.SNIHostName(hostName)));
                }
                socket.setSSLParameters(parameters);
                socket.startHandshake();
                socket.getOutputStream().write(41);
                socket.getOutputStream().flush();
                int reply = socket.getInputStream().read();
                if (reply != 42) {
                    throw new IOException("unexpected reply " + reply);
                }
                X509Certificate seen = (X509Certificate) socket.getSession().getPeerCertificates()[0];
                socket.close();
                return seen;
            } finally {
                served.get(10, TimeUnit.SECONDS);
            }
        }
    }

    private static boolean isIp(String host) {
        return host.contains(":") || host.matches("[0-9.]+");
    }
}
