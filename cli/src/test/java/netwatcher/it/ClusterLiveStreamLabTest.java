package netwatcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import netwatcher.cli.lab.ControllerAdmin;
import netwatcher.cli.lab.LabAgents;
import netwatcher.controller.cluster.ClusterDirectory;
import netwatcher.controller.db.Dialect;
import netwatcher.controller.db.TestDatabase;
import netwatcher.lab.AgentLauncher;
import netwatcher.lab.LabExtension;
import netwatcher.lab.LabHost;
import netwatcher.pki.CertificateAuthority;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The live stream through the controller the capture's agent does NOT talk to, for real: two controller processes
 * (real JVMs, as docs/deployment.md sets them up: one PostgreSQL, one CA), a real agent on lab host db long-polling
 * controller A, a capture on db, and its stream opened through controller B: B relays db's records from A
 * ({@code /internal/v1/live/...}), tshark reads B's answer from a pipe and shows the datagrams sent from app while the
 * capture runs, on interface {@code db/eth0}; the stream ends when the capture stops. A second reader through A at
 * the same time gives each datagram's first-packet latency direct and relayed (the packet's capture time on db to
 * the moment tshark printed it), printed as {@code live relay latency:} lines for BENCHMARKS.md §15b.
 */
@Tag("netns")
class ClusterLiveStreamLabTest {
    static final String V = "?api-version=2025-05-01";
    static final String DB = "198.18.3.10";
    static final int PORT = 5098;
    static final AtomicReference<AgentLauncher> LAUNCHER = new AtomicReference<>();

    @RegisterExtension
    static final LabExtension LAB = LabExtension.defaultLab().withAgentsStopped(host -> {
        AgentLauncher l = LAUNCHER.get();
        if (l == null) throw new IllegalStateException("no controllers yet");
        return l.command(host);
    });

    /** One controller process. */

    HttpClient http;
    String token;
    String sub;

    @Test
    void streamThroughTheOtherController_relaysTheAgentsPackets_tsharkReadsThemLive_andItEndsWithTheCapture() throws Exception {
        Path root = Files.createTempDirectory("nwit-cluster-live-");
        String mgmt = LAB.lab().controllerAddress();
        List<ClusterControllerChild.Launched> children = new ArrayList<>();
        boolean passed = false;
        try (TestDatabase pg = TestDatabase.create(Dialect.POSTGRESQL)) {
            Path ca = root.resolve("ca");
            CertificateAuthority.loadOrCreate(ca, "cluster live stream test CA", Clock.systemUTC());
            List<Path> dirs = List.of(root.resolve("nw1"), root.resolve("nw2"));
            for (Path dir : dirs) ClusterDirectory.prepare(dir, ca, pg, Map.of("listen", mgmt, "agent-wait-seconds", "60"));
            children.add(ClusterControllerChild.launch(dirs.get(0)));
            children.add(ClusterControllerChild.launch(dirs.get(1)));
            ClusterControllerChild.Launched a = children.get(0);
            ClusterControllerChild.Launched b = children.get(1);
            String urlA = "https://" + mgmt + ":" + a.port();
            String urlB = "https://" + mgmt + ":" + b.port();
            token = Files.readString(dirs.get(0).resolve("admin.token")).strip();
            Path caPem = dirs.get(0).resolve("tls").resolve(CertificateAuthority.CERTIFICATE_FILE);
            http = HttpClient.newBuilder().sslContext(ControllerAdmin.sslContext(caPem)).connectTimeout(Duration.ofSeconds(5)).build();
            ControllerAdmin admin = new ControllerAdmin(urlA, token, caPem);
            sub = admin.defaultSubscription();
            String enrollment = admin.createEnrollmentToken(sub, LabAgents.RESOURCE_GROUP, 5);
            String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            // the agent is given A's address only: it long-polls A, never B
            LAUNCHER.set(LabAgents.ofThisJvm(urlA, enrollment, sub, LabAgents.LOCATION, caPem).withClassPath(cp)
                    .withJvmOptions(netwatcher.agent.AgentJvm.options()));
            LAB.lab().startAgent("db");
            admin.awaitRegistered(sub, LabAgents.RESOURCE_GROUP, List.of("db"), Duration.ofSeconds(180));
            try (Connection db = DriverManager.getConnection(pg.config().jdbcUrl(), pg.config().user(), pg.config().password())) {
                awaitAgentOn(db, a.id());
            }

            String name = "relayedlive";
            String pc = watcher() + "/packetCaptures/" + name;
            var put = send(urlB + pc + V, "PUT", """
                    {"properties":{"target":"%s","timeLimitInSeconds":600,"storageLocation":{"filePath":"/var/captures/%s.cap"},
                     "filters":[{"protocol":"UDP","localPort":"%d"}]}}""".formatted(vmId("db"), name, PORT));
            assertEquals(201, put.statusCode(), put.body());
            awaitRunning(urlB + pc + "/queryStatus" + V);

            Reader relayed = Reader.open(http, urlB + pc + "/stream" + V, token);
            Reader direct = Reader.open(http, urlA + pc + "/stream" + V, token);
            awaitShipping(relayed, direct);

            // latency: each datagram seen by both readers; from its capture time on db to tshark's line
            List<Double> viaRelay = new ArrayList<>();
            List<Double> viaDirect = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                String tag = "lat-" + i + "-";
                send(tag, 64);
                viaRelay.add(relayed.await(tag, Duration.ofSeconds(20)));
                viaDirect.add(direct.await(tag, Duration.ofSeconds(20)));
                Thread.sleep(300);
            }
            System.out.println("live relay latency: direct (through A, the agent's controller) ms " + viaDirect);
            System.out.println("live relay latency: relayed (through B) ms " + viaRelay);
            System.out.println("live relay latency: median direct " + median(viaDirect) + " ms, relayed " + median(viaRelay) + " ms, max relayed "
                    + viaRelay.stream().mapToDouble(Double::doubleValue).max().orElse(0) + " ms");

            for (int i = 1; i <= 20; i++) send("seq-" + i + "-", 200);
            for (int i = 1; i <= 20; i++) relayed.await("seq-" + i + "-", Duration.ofSeconds(30));
            var stop = send(urlA + pc + "/stop" + V, "POST", null);
            assertTrue(stop.statusCode() == 200 || stop.statusCode() == 202, stop.statusCode() + " " + stop.body());
            assertEquals(0, relayed.finish(Duration.ofSeconds(60)), "tshark read B's whole stream; it ended with the capture");
            direct.finish(Duration.ofSeconds(60));
            for (Reader.Line line : relayed.lines) {
                assertEquals("db/eth0", line.interfaceName(), "one interface, the host's: " + line);
            }
            for (int i = 1; i <= 20; i++) assertTrue(relayed.has("seq-" + i + "-"), "datagram " + i + " through B");
            assertTrue(relayed.text().isEmpty() || !relayed.text().contains("was lost"), "no relay was lost");
            passed = true;
        } finally {
            for (ClusterControllerChild.Launched c : children) c.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            if (passed) LabWorld.deleteTree(root);
            else System.err.println("cluster live test directory kept for inspection: " + root);
        }
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    /** Sends one datagram from app to db whose payload starts with {@code tag}, padded to {@code size} bytes. */
    void send(String tag, int size) {
        var r = LAB.lab().exec("app", Duration.ofSeconds(20), List.of("bash", "-c", "printf '%s%0" + Math.max(1, size - tag.length())
                + "d' '" + tag + "' 0 > /dev/udp/" + DB + "/" + PORT));
        assertEquals(0, r.exitCode(), r.toString());
    }

    /** Sends warm-up datagrams until both readers show one: the agent ships to A, and A relays to B. */
    void awaitShipping(Reader relayed, Reader direct) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int i = 1; !(relayed.has("warm-") && direct.has("warm-")); i++) {
            if (System.nanoTime() > deadline) fail("no warm-up datagram reached both streams in 60 s; relayed " + relayed.lines.size()
                    + " lines, direct " + direct.lines.size());
            send("warm-" + i + "-", 64);
            Thread.sleep(200);
        }
    }

    /** A reader of one stream: the answer piped into {@code tshark -l -r -}, each printed line kept with when it came. */
    static final class Reader {
        record Line(long receivedNanosEpoch, double captured, String interfaceName, String payload) {}

        final List<Line> lines = new CopyOnWriteArrayList<>();
        final Process tshark;
        final CompletableFuture<Void> pipe;
        final CompletableFuture<Void> reading;
        final StringBuilder raw = new StringBuilder();

        private Reader(HttpResponse<InputStream> r) throws IOException {
            tshark = new ProcessBuilder("tshark", "-n", "-l", "-r", "-", "-T", "fields", "-E", "separator=\t", "-e", "frame.time_epoch",
                    "-e", "frame.interface_name", "-e", "data.data", "-d", "udp.port==" + PORT + ",data")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            // own threads, not the common pool: four blocking tasks of two readers would wait for each other there
            pipe = CompletableFuture.runAsync(() -> {
                try (InputStream in = r.body(); var out = tshark.getOutputStream()) {
                    byte[] buf = new byte[1 << 16];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        synchronized (raw) {
                            raw.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                        }
                        out.write(buf, 0, n);
                        out.flush();
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, THREADS);
            reading = CompletableFuture.runAsync(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(tshark.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = in.readLine()) != null; ) {
                        java.time.Instant now = java.time.Instant.now();
                        String[] cols = l.split("\t", -1);
                        if (cols.length < 3 || cols[2].isBlank()) continue;
                        String payload = new String(HexFormat.of().parseHex(cols[2].strip()), StandardCharsets.ISO_8859_1);
                        lines.add(new Line(now.getEpochSecond() * 1_000_000_000L + now.getNano(), Double.parseDouble(cols[0]), cols[1], payload));
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, THREADS);
        }

        static final java.util.concurrent.Executor THREADS = task -> Thread.ofPlatform().daemon().start(task);

        static Reader open(HttpClient http, String url, String token) throws Exception {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) {
                try (InputStream in = r.body()) {
                    fail("stream " + url + ": " + r.statusCode() + " " + new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
            return new Reader(r);
        }

        boolean has(String tag) {
            return lines.stream().anyMatch(l -> l.payload().startsWith(tag));
        }

        /** Waits for the datagram {@code tag}; returns its latency, capture time on the host to tshark's line, in ms. */
        double await(String tag, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (Line l : lines) {
                    if (l.payload().startsWith(tag)) {
                        return Math.round((l.receivedNanosEpoch() / 1e6 - l.captured() * 1e3) * 10) / 10.0;
                    }
                }
                Thread.sleep(5);
            }
            return fail("datagram " + tag + " did not reach the stream in " + timeout.toSeconds() + " s");
        }

        String text() {
            synchronized (raw) {
                return raw.toString();
            }
        }

        /** Waits for the stream's end and tshark's; returns tshark's exit code. */
        int finish(Duration timeout) throws Exception {
            try {
                pipe.get(timeout.toSeconds(), TimeUnit.SECONDS);
                reading.get(timeout.toSeconds(), TimeUnit.SECONDS);
                return tshark.waitFor(timeout.toSeconds(), TimeUnit.SECONDS) ? tshark.exitValue() : -1;
            } finally {
                tshark.destroy();
            }
        }
    }

    HttpResponse<String> send(String url, String method, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(40)).header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    void awaitRunning(String queryStatus) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String last = null;
        while (System.nanoTime() < deadline) {
            var r = send(queryStatus, "POST", null);
            last = r.body();
            if (r.statusCode() == 200 && last.contains("\"Running\"")) return;
            Thread.sleep(250);
        }
        fail("the capture is not Running after 60 s: " + last);
    }

    static void awaitAgentOn(Connection db, String controllerId) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String last = null;
        while (System.nanoTime() < deadline) {
            try (var st = db.prepareStatement("SELECT controller_id FROM nw_agent WHERE revoked = FALSE AND vm_key LIKE ? AND lease_until > ?")) {
                st.setString(1, "%/virtualmachines/db");
                st.setObject(2, java.time.OffsetDateTime.now());
                try (ResultSet rs = st.executeQuery()) {
                    last = rs.next() ? rs.getString(1) : null;
                }
            }
            if (controllerId.equals(last)) return;
            Thread.sleep(200);
        }
        fail("db's agent does not hold a lease on A (" + controllerId + "): " + last);
    }

    String watcher() {
        return "/subscriptions/" + sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_"
                + LabAgents.LOCATION;
    }

    String vmId(String host) {
        return "/subscriptions/" + sub + "/resourceGroups/" + LabAgents.RESOURCE_GROUP + "/providers/Microsoft.Compute/virtualMachines/" + host;
    }

}
