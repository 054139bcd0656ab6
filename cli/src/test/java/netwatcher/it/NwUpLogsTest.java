package netwatcher.it;

import org.junit.jupiter.api.Tag;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import netwatcher.cli.lab.ControllerAdmin;
import org.junit.jupiter.api.Test;

/**
 * {@code nw up} as a sysadmin runs it, in a child JVM with this build's class path: the banner on
 * stdout and nothing else there; on stderr only log events, each one line in the one format (text,
 * or JSON with {@code --log-format json}), Jetty's and HikariCP's among them; a packet capture on
 * the local agent (created, started or refused, stopped) logs its events with {@code capture=} and
 * {@code vm=} context, on the controller's side and the agent's. Without root the local agent cannot
 * open libpcap and refuses the capture: that refusal is a capture event with context too.
 */
@Tag("netns")
class NwUpLogsTest {
    /** time, level (padded to 5), component, message: {@code 2026-12-03T08:00:00.123Z INFO  Server ...}. */
    static final Pattern TEXT_LINE = Pattern.compile(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z (TRACE|DEBUG|INFO |WARN |ERROR) [A-Za-z0-9_$]+ \\S.*");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String V = "?api-version=2025-05-01";

    @Test
    void text_everyStderrLineIsOneEvent_withJettyHikariAndCaptureContext() throws Exception {
        // Jetty and HikariCP log at WARN by default; their INFO is turned on to see them in the same format
        Run run = runUp(List.of(), "-Dnw.log.levels=org.eclipse.jetty=INFO,com.zaxxer.hikari=INFO");
        for (String line : run.stderr) assertTrue(TEXT_LINE.matcher(line).matches(), "not a one-line log event: '" + line + "'\n" + run);
        assertTrue(run.stderr.stream().anyMatch(l -> l.contains(" Server ") && l.contains("jetty-")), "no Jetty line\n" + run);
        assertTrue(run.stderr.stream().anyMatch(l -> l.contains(" HikariDataSource ")), "no HikariCP line\n" + run);
        assertTrue(run.stderr.stream().anyMatch(l -> l.matches(".* Controller controller listening url=https://\\S+ .*")), run.toString());
        String capture = "capture=" + run.captureId;
        // the controller's events and the agent's name the same capture, and the VM
        assertTrue(run.stderr.stream().anyMatch(l -> l.contains(" CaptureService capture created ") && l.contains(capture)
                && l.contains(" vm=/subscriptions/")), "no 'capture created' with capture= and vm=\n" + run);
        assertTrue(run.stderr.stream().anyMatch(l -> l.contains(" Reconciler capture ") && l.contains(capture)), "no agent capture event\n" + run);
        assertTrue(run.stderr.stream().anyMatch(l -> l.contains(" CaptureService capture ended") && l.contains(capture)
                && l.contains(" reason=")), "no 'capture ended' with its reason\n" + run);
        assertTrue(run.stderr.stream().anyMatch(l -> l.contains(" AgentService agent enrolled ") && l.contains(" agent=")), run.toString());
        assertTrue(run.stderr.stream().anyMatch(l -> l.contains(" request=")), "no event names its request\n" + run);
        assertBannerOnlyOnStdout(run);
    }

    @Test
    void json_everyStderrLineIsOneObject_andLibraryChatterIsQuietByDefault() throws Exception {
        Run run = runUp(List.of("--log-format", "json"));
        List<JsonNode> events = new ArrayList<>();
        for (String line : run.stderr) {
            JsonNode event;
            try {
                event = JSON.readTree(line);
            } catch (IOException e) {
                throw new AssertionError("not a JSON line: '" + line + "'\n" + run, e);
            }
            assertTrue(event.isObject(), line);
            for (String field : List.of("time", "level", "logger", "message")) assertTrue(event.hasNonNull(field), field + " missing: " + line);
            assertTrue(event.path("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), line);
            events.add(event);
        }
        assertTrue(events.stream().anyMatch(e -> e.path("message").asText().equals("capture created")
                && e.path("capture").asText().equals(run.captureId) && e.path("vm").asText().startsWith("/subscriptions/")), run.toString());
        assertTrue(events.stream().anyMatch(e -> e.path("logger").asText().endsWith(".Reconciler")
                && e.path("capture").asText().equals(run.captureId)), "no agent capture event\n" + run);
        assertFalse(events.stream().anyMatch(e -> e.path("level").asText().equals("INFO")
                && e.path("logger").asText().matches("(org\\.eclipse\\.jetty|com\\.zaxxer\\.hikari)\\..*")), "Jetty/HikariCP INFO is chatter\n" + run);
        assertBannerOnlyOnStdout(run);
    }

    private static void assertBannerOnlyOnStdout(Run run) {
        assertTrue(run.stdout.contains("netwatcher is up.") && run.stdout.contains("API base URL:"), run.toString());
        for (String line : run.stdout.lines().toList()) {
            assertFalse(TEXT_LINE.matcher(line).matches() || line.startsWith("{\"time\""), "a log line on stdout: " + line);
        }
    }

    /** What one {@code nw up} printed, after a capture went through it and it was stopped with SIGTERM. */
    record Run(String stdout, List<String> stderr, String captureId) {
        @Override
        public String toString() {
            return "--- stdout:\n" + stdout + "--- stderr:\n" + String.join("\n", stderr);
        }
    }

    /** Starts {@code nw up} on a fresh data directory, creates and stops a capture on its local agent, then stops it. */
    private static Run runUp(List<String> flags, String... jvmOptions) throws Exception {
        Path dir = Files.createTempDirectory("nwit-logs-");
        boolean root = "root".equals(System.getProperty("user.name"));
        String name = "nwlogtest-" + UUID.randomUUID().toString().substring(0, 8);
        Path file = root ? Path.of("/var/captures", name + ".cap") : dir.resolve("captures").resolve(name + ".cap");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED"));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                "netwatcher.cli.Main", "up", "--data-dir", dir.resolve("data").toString(), "--port", "0"));
        command.addAll(flags);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("JOURNAL_STREAM"); // the terminal form, whatever started the tests
        builder.environment().remove("NW_LOG_FORMAT");
        builder.environment().remove("NW_LOG_LEVELS");
        Process process = builder.start();
        List<String> stderr = new CopyOnWriteArrayList<>();
        StringBuilder stdout = new StringBuilder();
        Thread errReader = Thread.ofPlatform().daemon().start(() -> readLines(process.getErrorStream(), stderr::add));
        Thread outReader = Thread.ofPlatform().daemon().start(() -> readLines(process.getInputStream(), l -> {
            synchronized (stdout) {
                stdout.append(l).append('\n');
            }
        }));
        String captureId = null;
        try {
            String banner = awaitText(stdout, s -> s.contains("Ctrl-C stops it."), process, stderr);
            String base = group(banner, "API base URL:\\s+(\\S+)");
            Path token = Path.of(group(banner, "admin token:\\s+(\\S+)"));
            Path ca = Path.of(group(banner, "CA certificate:\\s+(\\S+)"));
            String sub = group(banner, "subscription:\\s+(\\S+)");
            String vm = group(banner, "local agent:\\s+VM (\\S+) in resource group");
            HttpClient http = HttpClient.newBuilder().sslContext(ControllerAdmin.sslContext(ca)).build();
            String auth = "Bearer " + Files.readString(token).strip();
            awaitLine(stderr, l -> l.contains("host registered"), process);
            String vmId = "/subscriptions/" + sub + "/resourceGroups/local/providers/Microsoft.Compute/virtualMachines/" + vm;
            captureId = "/subscriptions/" + sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_local"
                    + "/packetCaptures/" + name;
            String body = "{\"properties\":{\"target\":\"" + vmId + "\",\"timeLimitInSeconds\":60,"
                    + "\"storageLocation\":{\"filePath\":\"" + file + "\"}}}";
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(base + captureId + V)).header("Authorization", auth)
                    .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(put.statusCode() == 200 || put.statusCode() == 201, put.statusCode() + " " + put.body());
            String id = captureId;
            // the agent either starts it or refuses it (no libpcap access): both are capture events
            awaitLine(stderr, l -> l.contains(id) && l.contains("Reconciler") && (l.contains("capture started") || l.contains("capture not started")), process);
            HttpResponse<String> stop = http.send(HttpRequest.newBuilder(URI.create(base + captureId + "/stop" + V)).header("Authorization", auth)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(stop.statusCode() < 300, stop.statusCode() + " " + stop.body());
            awaitLine(stderr, l -> l.contains(id) && l.contains("CaptureService") && l.contains("capture ended"), process);
        } finally {
            process.destroy(); // SIGTERM, as Ctrl-C or systemd would
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                fail("nw up did not stop within 60 s of SIGTERM");
            }
            errReader.join(5000);
            outReader.join(5000);
            Files.deleteIfExists(file);
            LabWorld.deleteTree(dir);
        }
        synchronized (stdout) {
            return new Run(stdout.toString(), List.copyOf(stderr), captureId);
        }
    }

    private static void readLines(java.io.InputStream in, java.util.function.Consumer<String> sink) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) sink.accept(line);
        } catch (IOException e) {
            // the process is gone
        }
    }

    private static String awaitText(StringBuilder text, Predicate<String> done, Process process, List<String> stderr) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (Instant.now().isBefore(deadline)) {
            synchronized (text) {
                if (done.test(text.toString())) return text.toString();
            }
            if (!process.isAlive()) break;
            Thread.sleep(100);
        }
        throw new AssertionError("nw up printed no banner (alive=" + process.isAlive() + "):\n" + text + "\n" + String.join("\n", stderr));
    }

    private static void awaitLine(List<String> lines, Predicate<String> wanted, Process process) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline) && process.isAlive()) {
            if (lines.stream().anyMatch(wanted)) return;
            Thread.sleep(100);
        }
        throw new AssertionError("no such log line (alive=" + process.isAlive() + "):\n" + String.join("\n", lines));
    }

    private static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "'" + regex + "' not in:\n" + text);
        return m.group(1);
    }
}
