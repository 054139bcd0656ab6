package netwatcher.cli.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The CLI's TLS sockets, offering the key-exchange groups in the order that costs a short-lived JVM
 * least: X25519, then P-384, then the JDK's others. The JDK sends a key share for the first group of
 * two families (XDH and ECDHE); with its default order that is X25519 <em>and</em> P-256, and making a
 * P-256 share first builds the curve's precomputed generator table, about 80 ms of a {@code nw} call's
 * CPU (BENCHMARKS.md §6). Every group stays offered, so a server that supports only P-256 still
 * connects (after a HelloRetryRequest, one round trip more). Thread-safe.
 */
final class CheapKeyShares extends SSLSocketFactory {
    /** The groups offered first, in this order; the JDK's other enabled groups follow in its order. */
    static final List<String> PREFERRED = List.of("x25519", "secp384r1");

    private final SSLContext context;
    private SSLSocketFactory delegate;

    /** @param context the TLS context to trust, or null for the JDK's default (loaded on first use) */
    CheapKeyShares(SSLContext context) {
        this.context = context;
    }

    private synchronized SSLSocketFactory delegate() {
        if (delegate == null) {
            delegate = context != null ? context.getSocketFactory() : (SSLSocketFactory) SSLSocketFactory.getDefault();
        }
        return delegate;
    }

    /** {@code groups} with {@link #PREFERRED} moved to the front (those the JDK offers at all). */
    static String[] reorder(String[] groups) {
        List<String> out = new ArrayList<>();
        List<String> all = Arrays.asList(groups);
        PREFERRED.stream().filter(all::contains).forEach(out::add);
        all.stream().filter(g -> !out.contains(g)).forEach(out::add);
        return out.toArray(String[]::new);
    }

    private static Socket tuned(Socket socket) {
        if (socket instanceof SSLSocket tls) {
            SSLParameters parameters = tls.getSSLParameters();
            String[] groups = parameters.getNamedGroups();
            if (groups != null) {
                parameters.setNamedGroups(reorder(groups));
                tls.setSSLParameters(parameters);
            }
        }
        return socket;
    }

    @Override public String[] getDefaultCipherSuites() { return delegate().getDefaultCipherSuites(); }
    @Override public String[] getSupportedCipherSuites() { return delegate().getSupportedCipherSuites(); }
    @Override public Socket createSocket() throws IOException { return tuned(delegate().createSocket()); }
    @Override public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        return tuned(delegate().createSocket(s, host, port, autoClose));
    }
    @Override public Socket createSocket(Socket s, InputStream consumed, boolean autoClose) throws IOException {
        return tuned(delegate().createSocket(s, consumed, autoClose));
    }
    @Override public Socket createSocket(String host, int port) throws IOException { return tuned(delegate().createSocket(host, port)); }
    @Override public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException {
        return tuned(delegate().createSocket(host, port, local, localPort));
    }
    @Override public Socket createSocket(InetAddress host, int port) throws IOException { return tuned(delegate().createSocket(host, port)); }
    @Override public Socket createSocket(InetAddress address, int port, InetAddress local, int localPort) throws IOException {
        return tuned(delegate().createSocket(address, port, local, localPort));
    }
}
