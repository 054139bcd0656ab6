package netwatcher.agent.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import netwatcher.agent.AgentJvm;
import netwatcher.model.capture.BpfFilters;
import netwatcher.model.capture.CaptureFilter;
import netwatcher.testing.netns.ProcessResult;
import netwatcher.testing.netns.Processes;

/**
 * The filter limits of {@link BpfFilters} against real libpcap: the largest filter sets the limits
 * allow, in the most expensive shapes known, compile; a filter that killed the agent before is
 * survived by the agent's JVM (with its real options) now.
 */
@Tag("external")
class FilterLimitsTest {
    /** A host with an IPv4 and an IPv6 address: the local side of filters that name none. */
    private static final List<InetAddress> HOST = List.of(address("198.18.0.2"), address("2001:2::2"));

    @TempDir Path dir;

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String ports(int n) {
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < n; i++) list.append(1000 + 2 * i).append(';');
        return list.toString();
    }

    private static String ip4(int i) {
        return "10." + (i / 250) + "." + (i % 250) + ".1";
    }

    /** The shapes: n grows the filter text; each is a realistic use pushed to the size limit. */
    private static final Map<String, IntFunction<List<CaptureFilter>>> SHAPES = Map.of(
            // port lists with protocol Any, host addresses as local side: the slowest shape measured
            "Any local port list", n -> List.of(CaptureFilter.parse("f", "Any", null, null, ports(n), null)),
            "TCP port lists both sides", n -> List.of(CaptureFilter.parse("f", "TCP", "198.18.0.1", "10.0.0.1", ports(n), ports(n))),
            "remote host and port per filter", n -> {
                List<CaptureFilter> filters = new ArrayList<>();
                for (int i = 0; i < n; i++) filters.add(CaptureFilter.parse("f", "TCP", null, ip4(i), null, "443"));
                return filters;
            },
            "IPv4 address lists", n -> {
                StringBuilder list = new StringBuilder();
                for (int i = 0; i < n; i++) list.append(ip4(i)).append(';');
                return List.of(CaptureFilter.parse("f", "Any", list.toString(), list.toString(), null, null));
            },
            "IPv6 ranges", n -> {
                List<CaptureFilter> filters = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    filters.add(CaptureFilter.parse("f", "UDP", null, "2001:2::" + Integer.toHexString(i + 1) + "-2001:2::"
                            + Integer.toHexString(0xfff0 - i), null, null));
                }
                return filters;
            },
            "most filters", n -> {
                List<CaptureFilter> filters = new ArrayList<>();
                for (int i = 0; i < Math.min(n, BpfFilters.MAX_FILTERS); i++) {
                    filters.add(CaptureFilter.parse("f", "Any", "198.18.0." + (i + 1), null, null, null));
                }
                return filters;
            });

    /** The largest filter set of {@code shape} the limits allow. */
    private static List<CaptureFilter> largestAllowed(IntFunction<List<CaptureFilter>> shape) {
        List<CaptureFilter> allowed = shape.apply(1);
        for (int n = 2; n < 10_000; n++) {
            List<CaptureFilter> next = shape.apply(n);
            if (next.equals(allowed) || BpfFilters.limitProblem(next, HOST).isPresent()) return allowed;
            allowed = next;
        }
        throw new AssertionError("the limits never stopped this shape");
    }

    @Test
    void largestAllowedFilterSets_ofEveryShape_compileForOneAndForSeveralInterfaces() {
        for (var shape : SHAPES.entrySet()) {
            List<CaptureFilter> filters = largestAllowed(shape.getValue());
            String bpf = BpfFilters.compile(filters, HOST);
            assertTrue(bpf.length() <= BpfFilters.MAX_EXPRESSION_CHARS, shape.getKey());
            // each shape grows in steps of one list entry or filter (one IPv6 range is half the limit)
            assertTrue(filters.size() == BpfFilters.MAX_FILTERS || bpf.length() > BpfFilters.MAX_EXPRESSION_CHARS / 2,
                    shape.getKey() + " is not at a limit: " + filters.size() + " filters, " + bpf.length() + " characters");
            CaptureEngine.checkFilter(bpf, Pcap.DLT_EN10MB);
            // several interfaces: CaptureSession prepends an ifindex clause and uses LINUX_SLL2
            CaptureEngine.checkFilter("(ifindex 2 or ifindex 3 or ifindex 4 or ifindex 5 or ifindex 6 or ifindex 7)"
                    + " and (" + bpf + ")", Pcap.DLT_LINUX_SLL2);
        }
    }

    @Test
    void limitProblem_whenOneEntryOverTheLimits_namesTheLimit() {
        List<CaptureFilter> tooMany = new ArrayList<>();
        for (int i = 0; i <= BpfFilters.MAX_FILTERS; i++) tooMany.add(CaptureFilter.parse("f", "UDP", null, null, null, null));
        assertEquals("has " + (BpfFilters.MAX_FILTERS + 1) + " filters; at most " + BpfFilters.MAX_FILTERS + " are allowed",
                BpfFilters.limitProblem(tooMany, HOST).orElseThrow());
        List<CaptureFilter> largest = largestAllowed(SHAPES.get("Any local port list"));
        String ports = largest.getFirst().localPorts().notation() + "60000;";
        List<CaptureFilter> oneMore = List.of(CaptureFilter.parse("f", "Any", null, null, ports, null));
        assertTrue(BpfFilters.compile(oneMore, HOST).length() > BpfFilters.MAX_EXPRESSION_CHARS);
        assertEquals("would produce a packet filter expression of " + BpfFilters.compile(oneMore, HOST).length()
                + " characters; at most " + BpfFilters.MAX_EXPRESSION_CHARS + " characters are allowed (use fewer filters,"
                + " fewer list entries, or ranges that are aligned address blocks)", BpfFilters.limitProblem(oneMore, HOST).orElseThrow());
    }

    @Test
    void checkFilter_whenCompilingTakesLongerThanTheTimeout_failsAndReturns() {
        // hundreds of milliseconds of libpcap optimiser work cannot finish within one
        String bpf = BpfFilters.compile(largestAllowed(SHAPES.get("Any local port list")), HOST);
        CaptureException e = assertThrows(CaptureException.class,
                () -> CaptureEngine.checkFilter(bpf, Pcap.DLT_EN10MB, Duration.ofMillis(1)));
        assertTrue(e.getMessage().contains("did not compile within"), e.getMessage());
    }

    /**
     * 250 filters of 229 characters each: 57,000 characters, over the limit (the controller refuses
     * it), and the kind of request that killed the agent with SIGSEGV: pcap_compile recursing on the
     * 256 KiB stack of the agent's threads. Both children run with the agent's real JVM options.
     */
    @Test
    void filterThatCrashedTheAgent_killsAPlainThreadButTheAgentsCheckSurvivesIt() throws Exception {
        List<CaptureFilter> filters = SHAPES.get("remote host and port per filter").apply(250);
        assertTrue(BpfFilters.limitProblem(filters, HOST).isPresent(), "over the limit");
        Path bpf = dir.resolve("filter.txt");
        Files.writeString(bpf, BpfFilters.compile(filters, HOST));

        ProcessResult plain = child("unguarded", bpf);
        assertNotEquals(0, plain.exitCode(), "the old way must crash, or this test proves nothing: " + plain.stdout());
        assertFalse(plain.stdout().contains("SURVIVED"), plain.stdout());

        ProcessResult guarded = child("guarded", bpf);
        assertEquals(0, guarded.exitCode(), guarded.stdout() + guarded.stderr());
        assertTrue(guarded.stdout().contains("SURVIVED compiled"), guarded.stdout());

        // the capture thread compiles it again for the live handle (the kernel may refuse a program
        // that long; libpcap then filters in user space): the JVM survives either way
        ProcessResult capture = child("capture", bpf, dir.resolve("lo.pcap").toString());
        assertEquals(0, capture.exitCode(), capture.stdout() + capture.stderr());
        assertTrue(capture.stdout().contains("SURVIVED"), capture.stdout());
    }

    private ProcessResult child(String mode, Path bpf, String... more) {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(AgentJvm.options());
        command.addAll(List.of("-XX:ErrorFile=" + dir.resolve("hs_err_%p.log"), "-XX:-CreateCoredumpOnCrash",
                "--enable-native-access=ALL-UNNAMED", "-cp", classpath, FilterCompileMain.class.getName(), mode, bpf.toString()));
        command.addAll(List.of(more));
        return Processes.run(Duration.ofMinutes(2), command);
    }
}
