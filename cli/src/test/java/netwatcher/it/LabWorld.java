package netwatcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import netwatcher.arm.Json;
import netwatcher.cli.lab.ControllerAdmin;
import netwatcher.cli.lab.LabAgents;
import netwatcher.controller.Controller;
import netwatcher.controller.ControllerConfig;
import netwatcher.lab.AgentLauncher;
import netwatcher.lab.LabHandle;
import netwatcher.lab.LabHost;

/**
 * A real controller in this JVM listening on 127.0.0.1 and on the test lab's management address
 * (which its generated certificate names), with real agents (separate JVMs, {@code AgentMain}) on
 * every agent host of the lab, enrolled with an enrollment token limited to resource group
 * {@code lab}. Plus the ARM calls the tests make. {@link #close()} stops the controller and deletes
 * its data directory; the lab (and so the agents) belongs to the test's {@code LabExtension}.
 *
 * <p>Not thread-safe: one per test class, used from the test thread.
 */
final class LabWorld implements AutoCloseable {
    static final String V = "?api-version=2025-05-01";

    /** The launcher the {@code LabExtension} holds; it runs the agents once the controller is up. */
    static final class DeferredLauncher implements AgentLauncher {
        private volatile AgentLauncher delegate;

        @Override
        public List<String> command(LabHost host) {
            AgentLauncher d = delegate;
            if (d == null) throw new IllegalStateException("no controller yet: start the LabWorld first");
            return d.command(host);
        }
    }

    final LabHandle lab;
    final Path dir;
    final String sub;
    final String token;
    final HttpClient http;
    final int port;
    Controller controller;
    /** Scratch directories of the test's own ({@link #scratch()}), deleted with the controller's. */
    private final List<Path> scratches = new ArrayList<>();

    private LabWorld(LabHandle lab, Path dir, Controller controller) throws Exception {
        this.lab = lab;
        this.dir = dir;
        this.controller = controller;
        this.port = controller.port();
        this.sub = controller.defaultSubscription().id();
        this.token = controller.adminToken();
        this.http = HttpClient.newBuilder().sslContext(ControllerAdmin.sslContext(controller.caFile()))
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /**
     * Starts the controller ({@code extraProperties} go into its controller.properties), points
     * {@code launcher} at it, starts every agent and waits until each has registered its VM.
     */
    static LabWorld start(LabHandle lab, DeferredLauncher launcher, Map<String, String> extraProperties) throws Exception {
        return start(lab, launcher, extraProperties, List.of());
    }

    /** As {@link #start(LabHandle, DeferredLauncher, Map)}, the agents getting {@code agentFlags} too. */
    static LabWorld start(LabHandle lab, DeferredLauncher launcher, Map<String, String> extraProperties, List<String> agentFlags)
            throws Exception {
        return start(lab, launcher, extraProperties, agentFlags, List.of());
    }

    /**
     * As {@link #start(LabHandle, DeferredLauncher, Map, List)}, the agents' JVMs getting {@code agentJvmOptions} after the
     * product's own ({@code agent-jvm.options}), e.g. diagnostics such as a GC log.
     */
    static LabWorld start(LabHandle lab, DeferredLauncher launcher, Map<String, String> extraProperties, List<String> agentFlags,
                          List<String> agentJvmOptions) throws Exception {
        Path dir = Files.createTempDirectory("nwit-controller-");
        LabWorld world = null;
        try {
            StringBuilder props = new StringBuilder("listen=" + lab.controllerAddress() + "\nagent-wait-seconds=60\n");
            extraProperties.forEach((k, v) -> props.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
            Files.writeString(dir.resolve("controller.properties"), props);
            Controller controller = Controller.start(ControllerConfig.load(dir, 0), Clock.systemUTC());
            world = new LabWorld(lab, dir, controller);
            ControllerAdmin admin = new ControllerAdmin(controller.baseUrl(), world.token, controller.caFile());
            String enrollment = admin.createEnrollmentToken(world.sub, LabAgents.RESOURCE_GROUP, 20);
            launcher.delegate = LabAgents.ofThisJvm("https://" + lab.controllerAddress() + ":" + world.port, enrollment, world.sub,
                            LabAgents.LOCATION, controller.caFile())
                    .withClassPath(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")))
                    .withExtraFlags(java.util.stream.Stream.concat(Stream.of("--report-interval", "1s", "--upload-retry-limit", "10m",
                                    "--probe-ca-file", lab.caCertificate().toString()),
                            agentFlags.stream()).toList())
                    .withJvmOptions(Stream.concat(netwatcher.agent.AgentJvm.options().stream(), agentJvmOptions.stream()).toList());
            List<String> agentHosts = lab.hosts().stream().filter(LabHost::agent).map(LabHost::name).toList();
            for (String host : agentHosts) lab.startAgent(host);
            admin.awaitRegistered(world.sub, LabAgents.RESOURCE_GROUP, agentHosts, Duration.ofSeconds(120));
            return world;
        } catch (Exception | Error e) {
            if (world != null) {
                world.close();
            } else {
                deleteTree(dir);
            }
            throw e;
        }
    }

    /** Closes the controller, waits {@code down}, starts a new one on the same data directory and port. */
    void restartController(Duration down) throws Exception {
        controller.close();
        controller = null;
        Thread.sleep(down.toMillis());
        controller = Controller.start(ControllerConfig.load(dir, port), Clock.systemUTC());
    }

    /** Stops the controller only (for outage tests); {@link #startController()} brings it back. */
    void stopController() throws Exception {
        controller.close();
        controller = null;
    }

    void startController() throws Exception {
        controller = Controller.start(ControllerConfig.load(dir, port), Clock.systemUTC());
    }

    /** A new empty directory for the test's files (downloads, tcpdump output), deleted by {@link #close()}. */
    Path scratch() throws IOException {
        Path scratch = Files.createTempDirectory("nwit-scratch-");
        scratches.add(scratch);
        return scratch;
    }

    @Override
    public void close() throws Exception {
        try {
            if (controller != null) controller.close();
        } finally {
            controller = null;
            deleteTree(dir);
            scratches.forEach(LabWorld::deleteTree);
        }
    }

    // ---- ARM ----

    String baseUrl() {
        return "https://127.0.0.1:" + port;
    }

    String watcher() {
        return "/subscriptions/" + sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_"
                + LabAgents.LOCATION;
    }

    String vmId(String host) {
        return "/subscriptions/" + sub + "/resourceGroups/" + LabAgents.RESOURCE_GROUP + "/providers/Microsoft.Compute/virtualMachines/" + host;
    }

    String localAccountId() {
        return "/subscriptions/" + sub + "/resourceGroups/" + Controller.STORAGE_GROUP + "/providers/Microsoft.Storage/storageAccounts/"
                + Controller.LOCAL_ACCOUNT;
    }

    String accountId(String name) {
        return "/subscriptions/" + sub + "/resourceGroups/" + Controller.STORAGE_GROUP + "/providers/Microsoft.Storage/storageAccounts/" + name;
    }

    record Reply(int status, HttpResponse<byte[]> response) {
        String body() {
            return new String(response.body(), StandardCharsets.UTF_8);
        }

        JsonNode json() {
            return Json.tree(response.body());
        }

        String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }
    }

    Reply send(String method, String pathOrUrl, String body, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : baseUrl() + pathOrUrl))
                .timeout(Duration.ofSeconds(40)).header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        headers.forEach(b::header);
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Reply(r.statusCode(), r);
    }

    Reply send(String method, String pathOrUrl, String body) throws IOException, InterruptedException {
        return send(method, pathOrUrl, body, Map.of());
    }

    /** Polls a long-running operation's {@code location} until its answer (200); fails on another status or after {@code timeout}. */
    JsonNode awaitOperation(String location, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Reply p = send("GET", location, null);
            if (p.status() == 200) return p.json();
            if (p.status() != 202) fail("operation " + location + " failed: " + p.status() + " " + p.body());
            Thread.sleep(300);
        }
        return fail("operation " + location + " did not finish within " + timeout.toSeconds() + " s");
    }

    /** PUTs capture {@code name} on {@code host} with {@code properties} (JSON object body without {@code target}). */
    JsonNode createCapture(String name, String host, String properties) throws IOException, InterruptedException {
        String body = "{\"properties\":{\"target\":\"" + vmId(host) + "\"," + properties.strip().substring(1) + "}";
        Reply r = send("PUT", watcher() + "/packetCaptures/" + name + V, body);
        assertEquals(201, r.status(), r.body());
        return r.json();
    }

    /** The queryStatus result of capture {@code name} (answered at once with 200). */
    JsonNode status(String name) throws IOException, InterruptedException {
        Reply q = send("POST", watcher() + "/packetCaptures/" + name + "/queryStatus" + V, null);
        Reply r = q; // queryStatus answers 200 with the status at once
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    /** Polls queryStatus until {@code until} holds; fails with the last status after {@code timeout}. */
    JsonNode awaitStatus(String name, Predicate<JsonNode> until, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = status(name);
            if (until.test(last)) return last;
            Thread.sleep(200);
        }
        return fail("capture " + name + " did not reach " + what + " within " + timeout.toSeconds() + " s; last status " + last);
    }

    JsonNode awaitRunning(String name) throws Exception {
        return awaitStatus(name, s -> s.path("packetCaptureStatus").asText().equals("Running"), Duration.ofSeconds(60), "Running");
    }

    /** Waits until the capture is final (Stopped or Error) and its upload settled (done, failed or none). */
    JsonNode awaitFinal(String name, Duration timeout) throws Exception {
        return awaitStatus(name, s -> {
            String st = s.path("packetCaptureStatus").asText();
            String upload = s.path("uploadState").asText("none");
            return (st.equals("Stopped") || st.equals("Error")) && (upload.equals("done") || upload.equals("failed") || upload.equals("none"));
        }, timeout, "a final status with a settled upload");
    }

    /**
     * POSTs stop: 200 when the agent confirmed within the controller's wait (the status then already
     * says the capture ended), else 202 with a Location; returns the answer.
     */
    Reply stopCapture(String name) throws IOException, InterruptedException {
        Reply r = send("POST", watcher() + "/packetCaptures/" + name + "/stop" + V, null);
        if (r.status() != 200 && r.status() != 202) fail("stop " + name + ": " + r.status() + " " + r.body());
        if (r.status() == 202 && r.header("Location") == null) fail("stop " + name + " answered 202 without Location");
        return r;
    }

    void deleteCapture(String name) throws IOException, InterruptedException {
        Reply r = send("DELETE", watcher() + "/packetCaptures/" + name + V, null);
        if (r.status() != 202 && r.status() != 204) fail("DELETE " + name + ": " + r.status() + " " + r.body());
    }

    /** The capture file as the host sees it at {@code /var/captures/<name>}. */
    Path hostFile(String host, String name) {
        return lab.host(host).capturesDirectory().resolve(name);
    }

    // ---- traffic and files ----

    /** Runs a bash script inside {@code host}; fails the test when it does not finish in time. */
    void bash(String host, String script) {
        var r = lab.exec(host, Duration.ofSeconds(60), List.of("bash", "-c", script));
        if (r.exitCode() == -1) fail("timed out in " + host + ": " + script);
    }

    /** {@code tshark -r file -Y filter -T fields -e ...}: one line per packet, sorted (a multiset to compare). */
    static List<String> packets(Path file, String displayFilter, String... fields) throws IOException, InterruptedException {
        return tshark(file, List.of(), displayFilter, fields).stream().sorted().toList();
    }

    /**
     * The fields of every datagram to UDP {@code port} in {@code file}, in file order, with that port decoded as plain data: left to its
     * heuristics, tshark now and then lets a dissector claim a test datagram's payload, and {@code data.data} comes out
     * empty for a datagram the file holds (seen in the agent's ring tests, 2 runs in 5).
     */
    static List<String> datagrams(Path file, int port, String... fields) throws IOException, InterruptedException {
        return tshark(file, decodeAsData(port), "udp.dstport == " + port, fields);
    }

    /** tshark's options that decode UDP {@code port} as plain data (see {@link #datagrams}). */
    static List<String> decodeAsData(int port) {
        return List.of("-d", "udp.port==" + port + ",data");
    }

    private static List<String> tshark(Path file, List<String> options, String displayFilter, String... fields)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString(), "-T", "fields", "-E", "separator=,"));
        command.addAll(options);
        if (displayFilter != null) command.addAll(List.of("-Y", displayFilter));
        for (String f : fields) command.addAll(List.of("-e", f));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) fail("tshark failed on " + file + " (" + p.exitValue() + "): " + command);
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    /** The fields that identify one packet in both captures (headers within 64 bytes of the frame). */
    static final String[] IDENTITY = {"frame.len", "ip.src", "ip.dst", "ip.id", "ip.proto", "tcp.srcport", "tcp.dstport", "tcp.seq_raw",
            "tcp.ack_raw", "tcp.flags", "udp.srcport", "udp.dstport"};

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) return;
        try (var walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
