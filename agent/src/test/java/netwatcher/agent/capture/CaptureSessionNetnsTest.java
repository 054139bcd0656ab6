package netwatcher.agent.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import netwatcher.model.capture.BpfFilters;
import netwatcher.model.capture.CaptureFilter;
import netwatcher.testing.netns.Processes;
import netwatcher.testing.netns.VethPair;
import netwatcher.testing.netns.VethPair.Namespace;

/**
 * Real captures with real libpcap on a veth pair between two fresh network namespaces. The capture
 * runs in namespace "right" (its thread inherits the namespace of a thread that entered it with
 * setns); traffic comes from subprocesses in either namespace.
 */
@Tag("netns")
class CaptureSessionNetnsTest {
    private static final Duration END_WAIT = Duration.ofSeconds(30);

    @RegisterExtension static final VethPair net = new VethPair();

    @TempDir Path dir;

    @BeforeAll
    static void engineAvailable() {
        // initialises libpcap and the timer thread here, in the host namespace
        assertEquals(Optional.empty(), CaptureEngine.unavailableReason());
    }

    private Namespace left() { return net.left(); }

    private Namespace right() { return net.right(); }

    private String rightIp() { return right().ipv4().getHostAddress(); }

    private String leftIp() { return left().ipv4().getHostAddress(); }

    private CaptureOptions options(String name, String bpf) {
        return CaptureOptions.of(dir.resolve(name)).withInterfaces(List.of(right().interfaceName())).withBpfFilter(bpf);
    }

    private CaptureSession startInRight(CaptureOptions options, List<CaptureResult> ended) throws Exception {
        return right().call(() -> CaptureSession.start(options, ended::add));
    }

    private static CaptureResult stopAndAwait(CaptureSession session) throws InterruptedException {
        session.stop(EndCause.STOP_REQUESTED);
        return session.awaitEnd(END_WAIT).orElseThrow(() -> new AssertionError("session did not end"));
    }

    private static List<String> tshark(Path file, String... fields) {
        List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString(), "-T", "fields"));
        for (String field : fields) command.addAll(List.of("-e", field));
        return Processes.run(Duration.ofSeconds(60), command).orThrow("tshark -r " + file).stdout().lines().toList();
    }

    private void udpFrom(Namespace from, String to, int port, int count, String payload) {
        from.bash("for i in $(seq " + count + "); do echo " + payload + " > /dev/udp/" + to + "/" + port + "; done");
    }

    private void tcpConnectsFrom(Namespace from, String to, int port, int count) {
        // nothing listens: each attempt is one SYN answered by one RST
        from.bash("for i in $(seq " + count + "); do (exec 3<>/dev/tcp/" + to + "/" + port + ") 2>/dev/null; done; true");
    }

    @Test
    void hostInterfaces_inNamespace_listsTheVethButNotLoopback() throws Exception {
        assertEquals(List.of(right().interfaceName()), right().call(CaptureEngine::hostInterfaces));
        assertEquals(List.of(right().ipv4(), right().ipv6()).stream().map(InetAddress::getHostAddress).sorted().toList(),
                right().call(CaptureEngine::hostAddresses).stream().map(InetAddress::getHostAddress).sorted().toList());
    }

    @Test
    void start_whenTcpLocalPort80Filter_capturesEveryMatchingPacketAndNoOther() throws Exception {
        CaptureFilter filter = CaptureFilter.parse("filters[0]", "TCP", null, null, "80", null);
        String bpf = BpfFilters.compile(List.of(filter), List.of(right().ipv4(), right().ipv6()));
        List<CaptureResult> ended = new CopyOnWriteArrayList<>();
        CaptureSession session = startInRight(options("tcp80.pcap", bpf), ended);

        tcpConnectsFrom(left(), rightIp(), 80, 5);   // matches: 5 SYN in, 5 RST out from local :80
        tcpConnectsFrom(left(), rightIp(), 81, 5);   // other local port
        tcpConnectsFrom(right(), leftIp(), 80, 5);   // local is the client of a remote :80
        udpFrom(left(), rightIp(), 80, 5, "x");      // UDP to local :80

        CaptureResult result = stopAndAwait(session);
        assertEquals(EndCause.STOP_REQUESTED, result.cause());
        assertEquals(List.of(result), ended);
        List<String> rows = tshark(session.options().output(), "ip.src", "tcp.srcport", "ip.dst", "tcp.dstport");
        Map<String, Integer> counts = new TreeMap<>();
        for (String row : rows) counts.merge(row, 1, Integer::sum);
        String in = leftIp() + "\t%s\t" + rightIp() + "\t80";
        String out = rightIp() + "\t80\t" + leftIp() + "\t%s";
        assertEquals(10, rows.size(), "rows: " + rows);
        for (String row : rows) {
            String[] f = row.split("\t");
            assertTrue(row.equals(in.formatted(f[1])) || row.equals(out.formatted(f[3])), "unexpected packet " + row);
        }
        assertEquals(10, result.stats().packets());
        assertEquals(Files.size(session.options().output()), result.stats().bytesWritten());
        assertNotNull(result.stats().firstPacket());
        assertFalse(result.stats().lastPacket().isBefore(result.stats().firstPacket()));
        assertTrue(result.stats().kernelReceived() >= 10, "ps_recv " + result.stats().kernelReceived());
        assertEquals(0, result.stats().kernelDrops());
    }

    @Test
    void start_withSnapLength_truncatesEveryPacket() throws Exception {
        CaptureSession session = startInRight(options("snap.pcap", "udp port 5000").withSnapLength(64), new ArrayList<>());
        udpFrom(left(), rightIp(), 5000, 20, "x".repeat(300));
        CaptureResult result = stopAndAwait(session);

        List<String> rows = tshark(session.options().output(), "frame.cap_len", "frame.len");
        assertEquals(20, rows.size());
        for (String row : rows) assertEquals("64\t343", row); // 14 + 20 + 8 + 301 bytes on the wire
        assertEquals(64, PcapFiles.summarize(session.options().output()).snapLength());
        assertEquals(20, result.stats().packets());
    }

    @Test
    void start_withTimeLimitOnSilentLink_endsWithTimeLimit() throws Exception {
        List<CaptureResult> ended = new CopyOnWriteArrayList<>();
        CaptureSession session = startInRight(options("silent.pcap", "udp port 9").withTimeLimit(Duration.ofSeconds(1)), ended);
        CaptureResult result = session.awaitEnd(END_WAIT).orElseThrow(() -> new AssertionError("time limit never fired"));

        assertEquals(EndCause.TIME_LIMIT, result.cause());
        assertNull(result.failureMessage());
        assertEquals(0, result.stats().packets());
        assertEquals(24, Files.size(session.options().output()));
        assertEquals(List.of(), tshark(session.options().output(), "frame.number"));
        assertEquals(List.of(result), ended);
    }

    @Test
    void start_withByteLimit_endsAtTheLimit() throws Exception {
        long limit = 20_000;
        int snap = 128;
        CaptureSession session = startInRight(options("bytes.pcap", "udp port 5001").withSnapLength(snap).withByteLimit(limit),
                new ArrayList<>());
        for (int round = 0; round < 20 && !session.result().isDone(); round++) {
            udpFrom(left(), rightIp(), 5001, 100, "y".repeat(200));
        }
        CaptureResult result = session.awaitEnd(END_WAIT).orElseThrow(() -> new AssertionError("byte limit never fired"));

        assertEquals(EndCause.BYTE_LIMIT, result.cause());
        long size = Files.size(session.options().output());
        assertTrue(size >= limit && size < limit + 16 + snap, "file size " + size + " for limit " + limit);
        assertEquals(size, result.stats().bytesWritten());
        assertEquals((size - 24) / (16 + snap), result.stats().packets());
        assertEquals(result.stats().packets(), tshark(session.options().output(), "frame.number").size());
    }

    @Test
    void stop_rightAfterLastPacket_drainsEveryPacketTheKernelAccepted() throws Exception {
        CaptureSession session = startInRight(options("drain.pcap", "udp port 5002"), new ArrayList<>());
        left().bash("for i in $(seq 20); do sleep 0.05; echo $i > /dev/udp/" + rightIp() + "/5002; done");
        CaptureResult result = stopAndAwait(session); // the last packet left nsA microseconds ago

        List<String> payloads = tshark(session.options().output(), "udp.dstport");
        assertEquals(20, payloads.size(), "packets in file");
        assertEquals(20, result.stats().packets());
        assertEquals(20, result.stats().kernelReceived());
    }

    @Test
    void start_twoSessionsOnOneInterface_bothSeeEverything() throws Exception {
        CaptureSession first = startInRight(options("first.pcap", "udp port 5003"), new ArrayList<>());
        CaptureSession second = startInRight(options("second.pcap", "udp port 5003"), new ArrayList<>());
        udpFrom(left(), rightIp(), 5003, 50, "z");
        CaptureResult a = stopAndAwait(first);
        udpFrom(left(), rightIp(), 5003, 10, "z"); // only the second still captures
        CaptureResult b = stopAndAwait(second);

        assertEquals(50, tshark(first.options().output(), "frame.number").size());
        assertEquals(60, tshark(second.options().output(), "frame.number").size());
        assertEquals(50, a.stats().packets());
        assertEquals(60, b.stats().packets());
    }

    @Test
    void start_onSeveralInterfaces_writesSll2WithOnlyThoseInterfaces() throws Exception {
        // a third interface in "right" that the capture must not see: a veth pair whose end "c"
        // sends to a static neighbour (no address on "d", so nothing is routed locally)
        String other = right().name() + "c";
        String otherNet = "198.19." + (right().ipv4().getAddress()[2] & 0xff);
        right().bash("ip link add " + other + " type veth peer name " + right().name() + "d"
                + " && ip link set " + right().name() + "d up && ip addr add " + otherNet + ".1/24 dev " + other
                + " && ip link set " + other + " up && ip neigh add " + otherNet + ".5 lladdr 02:00:00:00:00:05 dev " + other);
        try {
            CaptureOptions options = CaptureOptions.of(dir.resolve("multi.pcap"))
                    .withInterfaces(List.of(right().interfaceName(), "lo")).withBpfFilter("udp port 5004");
            CaptureSession session = startInRight(options, new ArrayList<>());
            assertEquals("any", session.device());
            assertEquals(276, session.linktype());

            udpFrom(left(), rightIp(), 5004, 5, "v");          // arrives on the veth
            udpFrom(right(), "127.0.0.1", 5004, 5, "l");        // loopback
            udpFrom(right(), otherNet + ".5", 5004, 5, "d");    // leaves through the other veth: not selected
            CaptureResult result = stopAndAwait(session);

            int vethIndex = right().call(() -> Pcap.ifIndex(right().interfaceName()));
            int otherIndex = right().call(() -> Pcap.ifIndex(other));
            List<String> indexes = tshark(options.output(), "sll.ifindex");
            assertEquals(5, indexes.stream().filter(i -> i.equals(Integer.toString(vethIndex))).count(), "veth: " + indexes);
            assertTrue(indexes.stream().filter(i -> i.equals("1")).count() >= 5, "loopback: " + indexes);
            assertFalse(indexes.contains(Integer.toString(otherIndex)), "other interface must be filtered out: " + indexes);
            assertTrue(indexes.stream().allMatch(i -> i.equals("1") || i.equals(Integer.toString(vethIndex))), indexes.toString());
            assertEquals(276, PcapFiles.summarize(options.output()).linktype());
            assertEquals(indexes.size(), result.stats().packets());
        } finally {
            right().bash("ip link del " + other);
        }
    }

    @Test
    void start_whenInterfaceMissing_throwsAndLeavesNoFile() throws Exception {
        CaptureOptions options = CaptureOptions.of(dir.resolve("none.pcap")).withInterfaces(List.of("nwtmissing0"));
        Exception e = assertThrows(CaptureException.class, () -> startInRight(options, new ArrayList<>()));
        assertTrue(e.getMessage().contains("nwtmissing0"), e.getMessage());
        assertFalse(Files.exists(options.output()));
    }

    @Test
    void start_whenFilterInvalid_throwsWithLibpcapMessageAndLeavesNoFile() throws Exception {
        CaptureOptions options = options("badfilter.pcap", "udp port bogus");
        Exception e = assertThrows(CaptureException.class, () -> startInRight(options, new ArrayList<>()));
        assertTrue(e.getMessage().contains("bogus"), e.getMessage());
        assertFalse(Files.exists(options.output()));
    }

    @Test
    void start_whenOutputExists_refusesToOverwrite() throws Exception {
        CaptureOptions options = options("exists.pcap", "");
        Files.writeString(options.output(), "precious");
        assertThrows(CaptureException.class, () -> startInRight(options, new ArrayList<>()));
        assertEquals("precious", Files.readString(options.output()));
    }

    @Test
    void start_whenDiskBelowFloor_refuses() throws Exception {
        CaptureOptions options = options("floor.pcap", "").withDiskFloorBytes(Long.MAX_VALUE);
        Exception e = assertThrows(CaptureException.class, () -> startInRight(options, new ArrayList<>()));
        assertTrue(e.getMessage().contains("floor"), e.getMessage());
    }

    @Test
    void start_compilesTheFilterOnce_forOneInterfaceAndForSeveral() throws Exception {
        String bpf = "udp port 5007";
        long before = CaptureEngine.filterCompilations();
        CaptureSession one = startInRight(options("once.pcap", bpf), new ArrayList<>());
        assertEquals(1, CaptureEngine.filterCompilations() - before, "one compile for the start, none to check it first");
        stopAndAwait(one);

        before = CaptureEngine.filterCompilations();
        CaptureSession several = startInRight(options("once-several.pcap", bpf)
                .withInterfaces(List.of(right().interfaceName(), "lo")), new ArrayList<>());
        assertEquals(1, CaptureEngine.filterCompilations() - before, "the ifindex-prefixed filter is the one compile");
        assertEquals(276, several.linktype());
        stopAndAwait(several);
    }

    @Test
    void start_whenFilterInvalid_failsAsAFilterProblemAfterOneCompile() throws Exception {
        long before = CaptureEngine.filterCompilations();
        CaptureException e = assertThrows(CaptureException.class, () -> startInRight(options("bad.pcap", "tcp port ((("),
                new ArrayList<>()));
        assertEquals(CaptureException.Problem.FILTER, e.problem());
        assertTrue(e.getMessage().contains("syntax error"), e.getMessage());
        assertEquals(1, CaptureEngine.filterCompilations() - before);
    }

    @Test
    void start_whenCompileOutlastsItsTimeout_failsAtOnceAsAFilterProblem_andTheCaptureThreadCleansUp() throws Exception {
        // a filter of the slowest shape at the size limit: hundreds of milliseconds of libpcap optimiser work
        List<InetAddress> host = List.of(right().ipv4(), right().ipv6());
        StringBuilder ports = new StringBuilder();
        List<CaptureFilter> filters = List.of();
        for (int i = 0; ; i++) {
            ports.append(1000 + 2 * i).append(';');
            List<CaptureFilter> next = List.of(CaptureFilter.parse("f", "Any", null, null, ports.toString(), null));
            if (BpfFilters.limitProblem(next, host).isPresent()) break;
            filters = next;
        }
        CaptureOptions options = options("slow.pcap", BpfFilters.compile(filters, host));
        CaptureException e = assertThrows(CaptureException.class, () -> right().call(
                () -> CaptureSession.start(options, r -> { }, java.time.InstantSource.system(), Duration.ofMillis(1))));
        assertEquals(CaptureException.Problem.FILTER, e.problem());
        assertTrue(e.getMessage().contains("did not compile within"), e.getMessage());
        String thread = "netwatcher-capture-" + options.output().getFileName();
        for (int i = 0; i < 200 && Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(thread)); i++) {
            Thread.sleep(50);
        }
        assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(thread)),
                "the abandoned capture thread finished its compile and released the handle");
        assertFalse(Files.exists(options.output()));
    }

    @Test
    void start_whenDiskBelowFloor_isADiskFloorProblemNamingFreeSpaceAndFloor() throws Exception {
        CaptureOptions options = options("floor-kind.pcap", "").withDiskFloorBytes(Long.MAX_VALUE);
        CaptureException e = assertThrows(CaptureException.class, () -> startInRight(options, new ArrayList<>()));
        assertEquals(CaptureException.Problem.DISK_FLOOR, e.problem());
        assertTrue(e.getMessage().matches("only [0-9.]+ MiB free on the file system of " + dir + ", under the agent's floor of .*"),
                e.getMessage());
        assertFalse(Files.exists(options.output()));
    }

    @Test
    void stats_whileRunning_reportFlushedPacketsAndTimestamps() throws Exception {
        CaptureSession session = startInRight(options("live.pcap", "udp port 5005").withFlushInterval(Duration.ofMillis(100)),
                new ArrayList<>());
        assertNotNull(session.stats().armedAt());
        udpFrom(left(), rightIp(), 5005, 10, "s");
        CaptureStats live = null;
        for (int i = 0; i < 100; i++) { // the flush wake-up makes the count exact without more traffic
            live = session.stats();
            if (live.packets() == 10 && live.lastPacket() != null) break;
            Thread.sleep(50);
        }
        assertEquals(10, live.packets());
        assertNotNull(live.firstPacket());
        assertEquals(10, PcapFiles.summarize(session.options().output()).packets(), "flushed to the file while running");
        assertEquals(10, stopAndAwait(session).stats().packets());
    }

    @Test
    void flush_writesWhatWasCapturedIntoTheFileAtOnce_notAtTheFlushInterval() throws Exception {
        // a flush interval of an hour: without flush() nothing after the header would reach the file during the test
        CaptureSession session = startInRight(options("flushnow.pcap", "udp port 5007").withFlushInterval(Duration.ofHours(1)),
                new ArrayList<>());
        udpFrom(left(), rightIp(), 5007, 10, "f");
        Thread.sleep(CaptureSession.DRAIN.toMillis()); // the kernel hands the last block over within this
        session.flush().get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(10, PcapFiles.summarize(session.options().output()).packets(), "every datagram in the file after flush()");
        assertEquals(10, stopAndAwait(session).stats().packets());
        assertTrue(session.flush().isDone(), "a flush asked after the end is answered at once: the file is closed");
    }

    @Test
    void killMinus9_midCapture_leavesAFileThatFinalizeMakesReadable() throws Exception {
        Path output = dir.resolve("crash.pcap");
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process child = new ProcessBuilder("ip", "netns", "exec", right().name(), java, "--enable-native-access=ALL-UNNAMED",
                "-cp", classpath, CrashCaptureMain.class.getName(), right().interfaceName(), "udp port 5006", output.toString())
                .redirectErrorStream(true).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line = lines.readLine();
            assertTrue(line != null && line.startsWith("ARMED"), "child said: " + line);

            udpFrom(left(), rightIp(), 5006, 200, "k".repeat(100));
            PcapSummary seen = null;
            for (int i = 0; i < 100; i++) {
                seen = PcapFiles.summarize(output);
                if (seen.packets() == 200) break;
                Thread.sleep(50);
            }
            assertEquals(200, seen.packets(), "flushed by the child before the kill");
            udpFrom(left(), rightIp(), 5006, 50, "k".repeat(100)); // in flight or buffered at the kill
        } finally {
            child.destroyForcibly(); // SIGKILL: `ip netns exec` exec()s java, so this is the JVM
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(137, child.exitValue());

        PcapSummary repaired = PcapFiles.finalizeAfterCrash(output);
        assertTrue(repaired.packets() >= 200 && repaired.packets() <= 250, "packets " + repaired.packets());
        assertEquals(0, PcapFiles.summarize(output).discardedBytes());
        assertEquals(repaired.packets(), tshark(output, "frame.number").size());
    }

    @Test
    void stop_duringAFlood_countsExactlyWhatTheFileHolds() throws Exception {
        CaptureSession session = startInRight(options("flood.pcap", "udp port 5007").withSnapLength(96), new ArrayList<>());
        // bounded: at most 200 000 packets, killed as soon as the capture stops
        Process flood = new ProcessBuilder("ip", "netns", "exec", left().name(), "hping3", "-2", "-q", "-p", "5007",
                "-d", "64", "-i", "u10", "-c", "200000", rightIp()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        CaptureResult result;
        try {
            for (int i = 0; i < 200 && session.stats().packets() < 5_000; i++) Thread.sleep(25);
            result = stopAndAwait(session); // stops while packets are still arriving: the last dispatch returns -2
        } finally {
            flood.destroyForcibly();
            flood.waitFor(30, TimeUnit.SECONDS);
        }
        long inFile = tshark(session.options().output(), "frame.number").size();
        assertTrue(inFile >= 5_000, "packets in file " + inFile);
        assertEquals(inFile, result.stats().packets(), "count must match the file exactly");
        assertEquals(Files.size(session.options().output()), result.stats().bytesWritten());
        assertTrue(result.stats().kernelReceived() >= inFile + result.stats().kernelDrops(),
                "ps_recv " + result.stats().kernelReceived() + " counts written + dropped + still in the ring");
    }
}
