package netwatcher.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Forwards TCP connections from {@code listenAddress} (e.g. the lab's management address, which
 * lab hosts reach) to a loopback port (Azurite listens on 127.0.0.1 only). When the target is
 * down, accepted connections are closed at once, as a stopped service would refuse them. Traffic
 * towards the target can be slowed to {@code bytesPerSecond}, so that an upload lasts long enough
 * to be cut in the middle.
 * Thread-safe; {@link #close()} stops it and cuts every relayed connection.
 */
final class TcpForwarder implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private final long bytesPerSecond;

    TcpForwarder(String listenAddress, int targetPort) throws IOException {
        this(listenAddress, targetPort, 0);
    }

    /** {@code bytesPerSecond} 0: no limit. */
    TcpForwarder(String listenAddress, int targetPort, long bytesPerSecond) throws IOException {
        this.bytesPerSecond = bytesPerSecond;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByName(listenAddress), 0), 50);
        this.targetPort = targetPort;
        this.acceptor = Thread.ofVirtual().name("forwarder-" + server.getLocalPort()).start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException closed) {
                return;
            }
            Thread.ofVirtual().start(() -> relay(client));
        }
    }

    private void relay(Socket client) {
        open.add(client);
        try (client; Socket target = new Socket()) {
            target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2000);
            open.add(target);
            Thread back = Thread.ofVirtual().start(() -> pipe(target, client, 0));
            pipe(client, target, bytesPerSecond);
            back.join();
        } catch (IOException | InterruptedException refused) {
            // the target is down: closing the client is the answer
        } finally {
            open.remove(client);
        }
    }

    private static void pipe(Socket from, Socket to, long bytesPerSecond) {
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[16384];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush();
                if (bytesPerSecond > 0) Thread.sleep(Math.max(1, n * 1000L / bytesPerSecond));
            }
            to.shutdownOutput();
        } catch (IOException | InterruptedException broken) {
            try {
                to.close();
                from.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    @Override
    public void close() throws Exception {
        server.close();
        for (Socket s : open) s.close();
        acceptor.join(5000);
    }
}
