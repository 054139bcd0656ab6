package netwatcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import netwatcher.lab.LabExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The live stream of a running capture ({@code GET .../packetCaptures/{name}/stream}) with the real controller and a
 * real agent on lab host db: numbered datagrams sent from app arrive in the pcapng stream while the capture still
 * runs, tshark reads the stream from a pipe, a reader that stalls is told in-band how many packets it missed while the
 * capture's own file keeps every datagram, the stream is authorized like the capture's GET, and its limits answer
 * ARM errors.
 */
@Tag("netns")
class LabLiveStreamTest {
    static final String DB = "198.18.3.10";
    static final int PORT = 5097;
    static final LabWorld.DeferredLauncher AGENTS = new LabWorld.DeferredLauncher();
    static final Pattern MISSED = Pattern.compile("netwatcher: (\\d+) packets missed before this (?:one|point)");

    @RegisterExtension
    static final LabExtension LAB = LabExtension.defaultLab().withAgentsStopped(AGENTS);

    static LabWorld world;
    static Path scratch;

    @BeforeAll
    static void start() throws Exception {
        scratch = Files.createTempDirectory("nwit-live-");
        world = LabWorld.start(LAB.lab(), AGENTS, Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            Path log = LAB.lab().host("db").agentLog();
            if (Files.exists(log)) Files.readAllLines(log).stream().filter(l -> l.toLowerCase(java.util.Locale.ROOT).contains("live"))
                    .forEach(l -> System.out.println("db agent: " + l));
            if (world != null) world.close();
        } finally {
            LabWorld.deleteTree(scratch);
        }
    }

    String streamPath(String name) {
        return world.watcher() + "/packetCaptures/" + name + "/stream" + LabWorld.V;
    }

    /** Opens the stream with {@code token} (null: no Authorization); the answer's body stays open. */
    HttpResponse<InputStream> open(String name, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(world.baseUrl() + streamPath(name))).GET();
        if (token != null) b.header("Authorization", "Bearer " + token);
        return world.http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    static String text(HttpResponse<InputStream> r) throws IOException {
        try (InputStream in = r.body()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    void createCapture(String name) throws Exception {
        world.createCapture(name, "db", """
                {"timeLimitInSeconds":600,"storageLocation":{"filePath":"/var/captures/%s.cap"},
                 "filters":[{"protocol":"UDP","localPort":"%d"}]}""".formatted(name, PORT));
        world.awaitRunning(name);
    }

    /** Sends datagrams "TAG-FROM-0..." .. "TAG-TO-0..." (payload {@code size} bytes) from app to db. */
    void send(String tag, int from, int to, int size) {
        send(DB, tag, from, to, size);
    }

    /** As {@link #send(String, int, int, int)}, to {@code address}. */
    void send(String address, String tag, int from, int to, int size) {
        world.bash("app", "pad=$(printf '%0" + Math.max(1, size - 16) + "d' 0); for i in $(seq " + from + " " + to + "); do echo \"" + tag
                + "-$i-$pad\" > /dev/udp/" + address + "/" + PORT + "; done; true");
    }

    /** The numbers of the {@code tag} datagrams in {@code bytes} (a pcapng stream or a pcap file: payloads are contiguous). */
    static Set<Integer> numbers(byte[] bytes, String tag) {
        Set<Integer> out = new HashSet<>();
        Matcher m = Pattern.compile(Pattern.quote(tag) + "-(\\d+)-0").matcher(new String(bytes, StandardCharsets.ISO_8859_1));
        while (m.find()) out.add(Integer.parseInt(m.group(1)));
        return out;
    }

    /** Reads {@code in} into {@code sink} on another thread until its end. */
    static CompletableFuture<Void> drain(InputStream in, ByteArrayOutputStream sink) {
        return CompletableFuture.runAsync(() -> {
            byte[] buf = new byte[1 << 16];
            try (in) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    synchronized (sink) {
                        sink.write(buf, 0, n);
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    static byte[] snapshot(ByteArrayOutputStream sink) {
        synchronized (sink) {
            return sink.toByteArray();
        }
    }

    /** Sends {@code tag} datagrams (one every 100 ms) until one of them is in {@code sink}: the agent is shipping. */
    void awaitShipping(ByteArrayOutputStream sink, String tag) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int i = 0;
        while (numbers(snapshot(sink), tag).isEmpty()) {
            if (System.nanoTime() > deadline) fail("no " + tag + " datagram reached the stream in 30 s");
            send(tag, ++i, i, 64);
            Thread.sleep(100);
        }
    }

    @Test
    void stream_deliversTheDatagramsWhileTheCaptureRuns_asPcapngWithTheHostsInterface_andEndsWhenItStops() throws Exception {
        String name = "live1";
        createCapture(name);
        HttpResponse<InputStream> r = open(name, world.token);
        assertEquals(200, r.statusCode());
        assertEquals("application/x-pcapng", r.headers().firstValue("Content-Type").orElse("").replaceAll(";.*", ""));
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        CompletableFuture<Void> reading = drain(r.body(), sink);
        awaitShipping(sink, "warm");

        send("seq", 1, 50, 200);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (numbers(snapshot(sink), "seq").size() < 50 && System.nanoTime() < deadline) Thread.sleep(50);
        assertEquals(50, numbers(snapshot(sink), "seq").size(), "every datagram reached the stream");
        assertEquals("Running", world.status(name).path("packetCaptureStatus").asText(), "they arrived while the capture runs");
        assertTrue(!reading.isDone(), "the stream is still open while the capture runs");

        world.stopCapture(name);
        reading.get(30, TimeUnit.SECONDS); // the stream ends when the capture does
        Path file = scratch.resolve(name + ".pcapng");
        Files.write(file, snapshot(sink));
        // tshark reads it: the packets on interface db/eth0 with the host in its comment
        List<String> rows = LabWorld.packets(file, "udp.dstport == " + PORT, "frame.interface_name");
        assertTrue(rows.size() >= 51, "rows: " + rows.size());
        assertTrue(rows.stream().allMatch(x -> x.equals("db/eth0")), rows.toString());
        Set<Integer> payloads = new HashSet<>();
        for (String hex : LabWorld.datagrams(file, PORT, "data.data")) {
            Matcher m = Pattern.compile("seq-(\\d+)-").matcher(new String(HexFormat.of().parseHex(hex.strip()), StandardCharsets.ISO_8859_1));
            if (m.find()) payloads.add(Integer.parseInt(m.group(1)));
        }
        for (int i = 1; i <= 50; i++) assertTrue(payloads.contains(i), "tshark finds datagram " + i);
        assertEquals(409, world.send("GET", streamPath(name), null).status(), "an ended capture has no stream");
    }

    @Test
    void tshark_readsTheStreamFromAPipe_whileTheCaptureRuns() throws Exception {
        String name = "live2";
        createCapture(name);
        HttpResponse<InputStream> r = open(name, world.token);
        assertEquals(200, r.statusCode());
        Process tshark = new ProcessBuilder(Stream.concat(Stream.of("tshark", "-n", "-l", "-r", "-"), Stream.concat(LabWorld.decodeAsData(PORT).stream(),
                        Stream.of("-T", "fields", "-e", "frame.interface_name", "-e", "data.data"))).toList())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        CompletableFuture<Void> pipe = CompletableFuture.runAsync(() -> {
            try (InputStream in = r.body(); var out = tshark.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        CompletableFuture<Void> reading = drain(tshark.getInputStream(), seen);
        try {
            send("warm", 1, 1, 64);
            Thread.sleep(2000); // the agent starts shipping at the end of the file: these are what come after
            send("pipe", 1, 20, 200);
            world.stopCapture(name);
            pipe.get(30, TimeUnit.SECONDS);
            reading.get(30, TimeUnit.SECONDS);
            assertEquals(0, tshark.waitFor(), "tshark read the whole stream");
        } finally {
            tshark.destroy();
        }
        String out = snapshot(seen).length == 0 ? "" : new String(snapshot(seen), StandardCharsets.UTF_8);
        Set<Integer> got = new HashSet<>();
        for (String line : out.lines().toList()) {
            String[] cols = line.split("\t");
            if (cols.length < 2) continue;
            assertEquals("db/eth0", cols[0], line);
            Matcher m = Pattern.compile("pipe-(\\d+)-").matcher(new String(HexFormat.of().parseHex(cols[1].strip()), StandardCharsets.ISO_8859_1));
            if (m.find()) got.add(Integer.parseInt(m.group(1)));
        }
        for (int i = 1; i <= 20; i++) assertTrue(got.contains(i), "tshark printed datagram " + i + ": " + out);
    }

    @Test
    void slowReader_isToldWhatItMissed_andNeitherTheCaptureNorAnotherReaderLosesAPacket() throws Exception {
        String name = "live3";
        createCapture(name);
        HttpResponse<InputStream> slow = open(name, world.token);
        HttpResponse<InputStream> fast = open(name, world.token);
        assertEquals(200, slow.statusCode());
        assertEquals(200, fast.statusCode());
        ByteArrayOutputStream fastSink = new ByteArrayOutputStream();
        CompletableFuture<Void> fastReading = drain(fast.body(), fastSink);
        // the slow reader reads until the agent ships, then stops reading
        ByteArrayOutputStream slowSink = new ByteArrayOutputStream();
        InputStream slowIn = slow.body();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int w = 0;
        byte[] buf = new byte[1 << 16];
        while (numbers(slowSink.toByteArray(), "warm").isEmpty()) {
            if (System.nanoTime() > deadline) fail("no warm-up datagram reached the stream");
            send("warm", ++w, w, 64);
            while (slowIn.available() > 0) slowSink.write(buf, 0, slowIn.read(buf));
            Thread.sleep(100);
        }
        Thread.sleep(500);
        while (slowIn.available() > 0) slowSink.write(buf, 0, slowIn.read(buf));

        int sent = 30_000; // 1300-byte payloads: ~40 MB, several times the reader's queue and the sockets' buffers
        send("flood", 1, sent, 1300);
        Thread.sleep(1000);
        world.stopCapture(name);
        fastReading.get(60, TimeUnit.SECONDS);
        CompletableFuture<Void> slowReading = drain(slowIn, slowSink);
        slowReading.get(60, TimeUnit.SECONDS);

        // the capture's own file has every datagram: the stalled reader did not slow the capture
        Set<Integer> inFile = numbers(Files.readAllBytes(world.hostFile("db", name + ".cap")), "flood");
        assertEquals(sent, inFile.size(), "the capture's file holds every datagram sent");
        // the reader that kept up lost nothing
        assertEquals(sent, numbers(snapshot(fastSink), "flood").size(), "the reader that kept up got every datagram");
        // the stalled one lost whole packets and was told how many, in-band
        byte[] slowBytes = snapshot(slowSink);
        Set<Integer> got = numbers(slowBytes, "flood");
        long missed = 0;
        Matcher m = MISSED.matcher(new String(slowBytes, StandardCharsets.ISO_8859_1));
        while (m.find()) missed += Long.parseLong(m.group(1));
        assertTrue(missed > 0, "the stalled reader was told it missed packets");
        assertTrue(got.size() < sent, "the stalled reader did miss some");
        assertEquals(sent, got.size() + missed, "what it got and what it was told it missed add up to what was captured");
        assertTrue(new String(slowBytes, StandardCharsets.ISO_8859_1).contains("missed by this reader"),
                "the end of the stream has the totals in an interface statistics block");
        // and the stream is still valid pcapng: tshark reads it all
        Path file = scratch.resolve(name + "-slow.pcapng");
        Files.write(file, slowBytes);
        assertEquals(got.size(), LabWorld.packets(file, "udp.dstport == " + PORT + " && frame.len > 1000", "frame.number").size());
    }

    @Test
    void fleetCapture_streamsEveryInstance_interleaved_oneInterfacePerHostNamedVmSlashNic() throws Exception {
        String name = "livefleet";
        String set = "/subscriptions/" + world.sub + "/resourceGroups/lab/providers/Microsoft.Compute/virtualMachineScaleSets/dbss";
        LabWorld.Reply created = world.send("PUT", world.watcher() + "/packetCaptures/" + name + LabWorld.V, """
                {"properties":{"target":"%s","targetType":"AzureVMSS","timeLimitInSeconds":600,
                 "storageLocation":{"storageId":"%s","filePath":"/var/captures/%s.cap"},
                 "filters":[{"protocol":"UDP","localPort":"%d"}]}}""".formatted(set, world.localAccountId(), name, PORT));
        assertEquals(201, created.status(), created.body());
        world.awaitStatus(name, s -> s.path("instances").size() == 2
                && s.path("instances").findValuesAsText("packetCaptureStatus").stream().allMatch("Running"::equals),
                Duration.ofSeconds(60), "both instances running");
        HttpResponse<InputStream> r = open(name, world.token);
        assertEquals(200, r.statusCode());
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        CompletableFuture<Void> reading = drain(r.body(), sink);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int w = 0;
        while (numbers(snapshot(sink), "warmA").isEmpty() || numbers(snapshot(sink), "warmB").isEmpty()) {
            if (System.nanoTime() > deadline) fail("warm-up datagrams of both hosts did not reach the stream");
            w++;
            send(DB, "warmA", w, w, 64);
            send("198.18.3.11", "warmB", w, w, 64);
            Thread.sleep(100);
        }
        send(DB, "toA", 1, 20, 100);
        send("198.18.3.11", "toB", 1, 20, 100);
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((numbers(snapshot(sink), "toA").size() < 20 || numbers(snapshot(sink), "toB").size() < 20) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(20, numbers(snapshot(sink), "toA").size(), "db's datagrams reached the stream");
        assertEquals(20, numbers(snapshot(sink), "toB").size(), "db2's datagrams reached the stream");
        world.stopCapture(name);
        reading.get(30, TimeUnit.SECONDS); // ends when every instance has ended
        Path file = scratch.resolve(name + ".pcapng");
        Files.write(file, snapshot(sink));
        assertEquals(List.of("db/eth0", "db2/eth0"), LabWorld.packets(file, null, "frame.interface_name").stream().distinct().sorted().toList());
        String text = new String(snapshot(sink), StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("host db,") && text.contains("host db2,"), "each interface names its host");
    }

    /** A service principal with {@code role} at {@code scope}, and a token for it. */
    String principal(String role, String scope) throws Exception {
        var sp = world.send("POST", "/admin/v1/servicePrincipals", "{\"displayName\":\"live " + role + "\"}").json();
        String clientId = sp.path("clientId").asText();
        var assignment = world.send("POST", "/admin/v1/roleAssignments",
                "{\"principalId\":\"" + clientId + "\",\"role\":\"" + role + "\",\"scope\":\"" + scope + "\"}");
        assertEquals(201, assignment.status(), assignment.body());
        String form = "grant_type=client_credentials&client_id=" + clientId + "&client_secret="
                + URLEncoder.encode(sp.path("clientSecret").asText(), StandardCharsets.UTF_8) + "&scope="
                + URLEncoder.encode(world.baseUrl() + "/.default", StandardCharsets.UTF_8);
        var r = world.http.send(HttpRequest.newBuilder(URI.create(world.baseUrl() + "/adfs/oauth2/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return netwatcher.arm.Json.tree(r.body().getBytes(StandardCharsets.UTF_8)).path("access_token").asText();
    }

    int captureGetStatus(String name, String token) throws Exception {
        return world.http.send(HttpRequest.newBuilder(URI.create(world.baseUrl() + world.watcher() + "/packetCaptures/" + name + LabWorld.V))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void authorization_readerMayWatch_otherScopeIsRefusedAsTheCaptureGet_noTokenIs401() throws Exception {
        String name = "live4";
        createCapture(name);
        String reader = principal("Reader", "/subscriptions/" + world.sub);
        HttpResponse<InputStream> ok = open(name, reader);
        assertEquals(200, ok.statusCode());
        byte[] head = ok.body().readNBytes(4);
        assertEquals(0x0A0D0D0A, ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt(), "a pcapng section header");
        ok.body().close();

        String elsewhere = principal("Contributor", "/subscriptions/" + world.sub + "/resourceGroups/lab");
        HttpResponse<InputStream> refused = open(name, elsewhere);
        int get = captureGetStatus(name, elsewhere);
        assertTrue(get == 403 || get == 404, "the capture's GET refuses a caller scoped elsewhere: " + get);
        assertEquals(get, refused.statusCode(), "the stream answers as the capture's GET does");
        assertTrue(text(refused).contains(get == 403 ? "AuthorizationFailed" : "NotFound"));

        HttpResponse<InputStream> anonymous = open(name, null);
        assertEquals(401, anonymous.statusCode());
        text(anonymous);
        world.stopCapture(name);
    }

    @Test
    void limits_perCaptureAnswer429WithRetryAfter_andAnEndedCaptureSaysItsState() throws Exception {
        String name = "live5";
        createCapture(name);
        List<HttpResponse<InputStream>> open = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            HttpResponse<InputStream> r = open(name, world.token);
            assertEquals(200, r.statusCode(), "stream " + (i + 1) + " of 4");
            open.add(r);
        }
        HttpResponse<InputStream> fifth = open(name, world.token);
        assertEquals(429, fifth.statusCode());
        assertTrue(fifth.headers().firstValue("Retry-After").isPresent(), "a 429 says when to retry");
        String body = text(fifth);
        assertTrue(body.contains("LiveStreamLimitReached") && body.contains("4"), body);

        world.stopCapture(name);
        for (HttpResponse<InputStream> r : open) {
            CompletableFuture.runAsync(() -> {
                try (InputStream in = r.body()) {
                    in.readAllBytes();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).get(30, TimeUnit.SECONDS); // each ends with the capture
        }
        world.awaitFinal(name, Duration.ofSeconds(30));
        LabWorld.Reply ended = world.send("GET", streamPath(name), null);
        assertEquals(409, ended.status(), ended.body());
        assertTrue(ended.body().contains("PacketCaptureNotRunning") && ended.body().contains("Stopped"), ended.body());
    }
}
