package netwatcher.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * HAProxy (the Debian package) in front of the cluster test's controllers, run with the configuration
 * {@code docs/deployment.md} gives operators: the block after the marker {@value #MARKER} is read from the
 * page, and only its {@code bind} address and its {@code server} lines are replaced by the test's own
 * (a global section that logs nothing is put in front). So the guide's configuration is the tested one.
 * {@link #close()} stops the process (SIGTERM, then SIGKILL). Not thread-safe; one per test.
 */
final class Haproxy implements AutoCloseable {
    static final String MARKER = "<!-- haproxy.cfg: ClusterFailoverLabTest runs this block -->";

    private final Process process;
    private final Path config;
    private final Path socket;

    private Haproxy(Process process, Path config, Path socket) {
        this.process = process;
        this.config = config;
        this.socket = socket;
    }

    /** The configuration block of docs/deployment.md, as an operator copies it. */
    static String documentedConfig() throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("docs/deployment.md"))) dir = dir.getParent();
        if (dir == null) throw new IllegalStateException("docs/deployment.md not found above " + Path.of("").toAbsolutePath());
        String page = Files.readString(dir.resolve("docs/deployment.md"));
        int marker = page.indexOf(MARKER);
        if (marker < 0) throw new IllegalStateException("docs/deployment.md lost its marker " + MARKER);
        int start = page.indexOf("```text\n", marker) + "```text\n".length();
        return page.substring(start, page.indexOf("```", start));
    }

    /**
     * The documented configuration with {@code bind} on {@code address:port} and one {@code server} line per
     * entry of {@code servers} ({@code host:port}).
     */
    static String configFor(String address, int port, List<String> servers, Path socket) throws IOException {
        List<String> out = new ArrayList<>(List.of("global", "    log stderr format short local0 notice",
                "    stats socket " + socket + " mode 600 level user", ""));
        boolean serversWritten = false;
        int binds = 0;
        for (String line : documentedConfig().split("\n")) {
            String t = line.strip();
            if (t.startsWith("bind ")) {
                out.add("    bind " + address + ":" + port);
                binds++;
            } else if (t.startsWith("server ")) {
                if (!serversWritten) {
                    for (int i = 0; i < servers.size(); i++) out.add("    server nw" + (i + 1) + " " + servers.get(i));
                    serversWritten = true;
                }
            } else {
                out.add(line);
            }
        }
        if (binds != 1 || !serversWritten) throw new IllegalStateException("the documented configuration has no bind or no server lines");
        return String.join("\n", out) + "\n";
    }

    /** Checks the configuration ({@code haproxy -c}), starts HAProxy in the foreground and waits until it listens. */
    static Haproxy start(Path dir, String address, int port, List<String> servers) throws IOException, InterruptedException {
        Path config = dir.resolve("haproxy.cfg");
        Path socket = dir.resolve("haproxy.sock");
        Files.writeString(config, configFor(address, port, servers, socket));
        Process check = new ProcessBuilder("haproxy", "-c", "-f", config.toString()).redirectErrorStream(true).start();
        String checked = new String(check.getInputStream().readAllBytes());
        if (check.waitFor() != 0) throw new IllegalStateException("haproxy -c refused " + config + ": " + checked);
        Process p = new ProcessBuilder("haproxy", "-db", "-f", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("haproxy.log").toFile()).start();
        Haproxy h = new Haproxy(p, config, socket);
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly)); // also when the test JVM is stopped mid-test
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new IllegalStateException("haproxy exited " + p.exitValue() + "; see " + dir.resolve("haproxy.log"));
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address, port), 200);
                return h;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        h.close();
        throw new IllegalStateException("haproxy did not listen on " + address + ":" + port);
    }

    Path config() { return config; }

    /** Each server of the backend {@code controllers} and its status ({@code UP}, {@code DOWN}, ...), from the stats socket. */
    java.util.Map<String, String> servers() throws IOException {
        String csv;
        try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket))) {
            ch.write(java.nio.ByteBuffer.wrap("show stat\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            csv = new String(java.nio.channels.Channels.newInputStream(ch).readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        }
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        List<String> header = null;
        for (String line : csv.split("\n")) {
            if (line.startsWith("# ")) {
                header = List.of(line.substring(2).split(","));
            } else if (header != null && line.startsWith("controllers,") && !line.startsWith("controllers,BACKEND")) {
                String[] f = line.split(",", -1);
                out.put(f[1], f[header.indexOf("status")]);
            }
        }
        return out;
    }

    /** Waits until every server is {@code UP} (a cold controller may fail its first check). */
    void awaitAllUp(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        java.util.Map<String, String> now = servers();
        while (now.isEmpty() || !now.values().stream().allMatch("UP"::equals)) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("haproxy's servers not all UP: " + now);
            Thread.sleep(200);
            now = servers();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
