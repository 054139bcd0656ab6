package netwatcher.bench;

import netwatcher.agent.capture.CaptureEngine;
import netwatcher.agent.capture.CaptureOptions;
import netwatcher.agent.capture.CaptureSession;
import netwatcher.model.capture.BpfFilters;
import netwatcher.model.capture.CaptureFilter;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one compile per capture start saves: {@link CaptureSession#start} (armed, its filter compiled
 * once for the live handle) against the same start preceded by the pre-flight the agent ran before
 * issue 12, two compiles on dead handles ({@link CaptureEngine#checkFilter} for EN10MB and for
 * LINUX_SLL2). Both modes alternate in one process, on {@code lo} of the namespace the script runs it
 * in, with a small filter (the capture benchmark's UDP) and the largest filter the limits allow (the
 * slowest shape: a local port list with protocol Any). Arguments: {@code [startsSmall=20]
 * [startsLargest=6]}. Writes its files under a temporary directory and removes them.
 */
public final class CaptureStartBench {
    /** The host's addresses: the local side of filters that name none. */
    private static final List<InetAddress> HOST = List.of(InetAddress.ofLiteral("198.18.0.2"), InetAddress.ofLiteral("2001:2::2"));

    private CaptureStartBench() {}

    public static void main(String[] args) throws Exception {
        int small = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int largest = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        CaptureEngine.unavailableReason().ifPresent(reason -> {
            throw new IllegalStateException(reason);
        });
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("UDP (capture benchmark)", BpfFilters.compile(List.of(CaptureFilter.parse("f", "UDP", null, null, null, null)), HOST));
        filters.put("largest allowed", BpfFilters.compile(largestPortList(), HOST));
        Path dir = Files.createTempDirectory("nwt-capture-start");
        try {
            int runs = small;
            for (Map.Entry<String, String> filter : filters.entrySet()) {
                long[] before = new long[runs];
                long[] after = new long[runs];
                for (int i = 0; i < runs; i++) {
                    before[i] = start(dir, filter.getValue(), true);
                    after[i] = start(dir, filter.getValue(), false);
                }
                System.out.printf("%-24s %4d chars  pre-flight + start: %s%n%-35s start only: %s%n", filter.getKey(),
                        filter.getValue().length(), Stats.ofNanos(before), "", Stats.ofNanos(after));
                runs = largest;
            }
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    /** One start on {@code lo}, timed until armed; the session is closed and its file removed after. */
    private static long start(Path dir, String bpf, boolean preflight) throws Exception {
        Path file = Files.createTempFile(dir, "c", ".pcap");
        Files.delete(file); // the session creates it and refuses an existing one
        CaptureOptions options = CaptureOptions.of(file).withInterfaces(List.of("lo")).withBpfFilter(bpf).withBufferBytes(1 << 20);
        long begin = System.nanoTime();
        if (preflight) {
            CaptureEngine.checkFilter(bpf, 1);
            CaptureEngine.checkFilter(bpf, 276);
        }
        long compiles = CaptureEngine.filterCompilations();
        CaptureSession session = CaptureSession.start(options, result -> { });
        long nanos = System.nanoTime() - begin;
        if (CaptureEngine.filterCompilations() - compiles != 1) throw new IllegalStateException("a start did not compile once");
        session.close();
        Files.deleteIfExists(file);
        return nanos;
    }

    /** The longest local port list with protocol Any that the filter limits allow. */
    private static List<CaptureFilter> largestPortList() {
        StringBuilder ports = new StringBuilder();
        List<CaptureFilter> allowed = List.of();
        for (int i = 0; ; i++) {
            ports.append(1000 + 2 * i).append(';');
            List<CaptureFilter> next = List.of(CaptureFilter.parse("f", "Any", null, null, ports.toString(), null));
            if (BpfFilters.limitProblem(next, HOST).isPresent()) return allowed;
            allowed = next;
        }
    }
}
