package netwatcher.agent.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import netwatcher.model.capture.BpfFilters;
import netwatcher.model.capture.CaptureFilter;
import netwatcher.testing.netns.ProcessResult;
import netwatcher.testing.netns.Processes;

/**
 * What the compiled filters match, judged by real libpcap: {@code tcpdump -r} applies each filter to
 * hand-made packets (the pure compilation rules are in {@link BpfFiltersTest}). Runs tcpdump, so it
 * is in the full lane only ({@code external}).
 */
@Tag("external")
class BpfFilterSemanticsTest {
    private static final List<InetAddress> HOST = List.of(address("198.18.0.2"));

    @TempDir Path dir;

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static CaptureFilter filter(String protocol, String localIp, String remoteIp, String localPort, String remotePort) {
        return CaptureFilter.parse("filters[0]", protocol, localIp, remoteIp, localPort, remotePort);
    }

    // ---- semantics, applied by real libpcap (tcpdump -r) to hand-made packets

    /** Which of the given packets (protocol, src, sport, dst, dport) the filter matches, by index. */
    private List<Integer> matches(String bpf, List<Object[]> packets) throws Exception {
        List<Integer> matched = new ArrayList<>();
        for (int i = 0; i < packets.size(); i++) {
            Object[] p = packets.get(i);
            Path file = new SyntheticPcap().packet((int) p[0], (String) p[1], (int) p[2], (String) p[3], (int) p[4])
                    .write(dir.resolve("p" + i + ".pcap"));
            List<String> command = new ArrayList<>(List.of("tcpdump", "-nn", "-r", file.toString()));
            if (!bpf.isEmpty()) command.add(bpf);
            ProcessResult result = Processes.run(java.time.Duration.ofSeconds(30), command).orThrow("tcpdump " + bpf);
            if (!result.stdout().isBlank()) matched.add(i);
            Files.delete(file);
        }
        return matched;
    }

    @Test
    void compile_whenLocalPortFilterAppliedToBothDirections_matchesOnlyTheLocalSide() throws Exception {
        String bpf = BpfFilters.compile(List.of(filter("TCP", null, null, "80", null)), HOST);
        List<Object[]> packets = List.of(
                new Object[] {6, "198.18.0.2", 80, "198.18.0.1", 5555},   // 0 reply from local :80
                new Object[] {6, "198.18.0.1", 5555, "198.18.0.2", 80},   // 1 request to local :80
                new Object[] {6, "198.18.0.2", 5555, "198.18.0.1", 80},   // 2 local is the client of remote :80
                new Object[] {6, "198.18.0.1", 80, "198.18.0.2", 5555},   // 3 reply from remote :80
                new Object[] {17, "198.18.0.1", 5555, "198.18.0.2", 80}); // 4 UDP, wrong protocol
        assertEquals(List.of(0, 1), matches(bpf, packets));
    }

    @Test
    void compile_whenAllFourFieldsSet_pairsAddressesAndPortsPerDirection() throws Exception {
        String bpf = BpfFilters.compile(List.of(filter("TCP", "198.18.0.2", "198.18.0.1", "80", "5555")), List.of());
        List<Object[]> packets = List.of(
                new Object[] {6, "198.18.0.2", 80, "198.18.0.1", 5555},   // 0 outbound, matches
                new Object[] {6, "198.18.0.1", 5555, "198.18.0.2", 80},   // 1 inbound, matches
                new Object[] {6, "198.18.0.2", 5555, "198.18.0.1", 80},   // 2 ports on the wrong sides
                new Object[] {6, "198.18.0.1", 80, "198.18.0.2", 5555},   // 3 ports on the wrong sides
                new Object[] {6, "198.18.0.3", 80, "198.18.0.1", 5555});  // 4 another local address
        assertEquals(List.of(0, 1), matches(bpf, packets));
    }

    @Test
    void compile_whenIpv6RangeFilter_matchesIpv6PacketsInRange() throws Exception {
        String bpf = BpfFilters.compile(List.of(filter("UDP", null, "2001:2::10-2001:2::12", null, "53")),
                List.of(address("2001:2::1")));
        List<Object[]> packets = List.of(
                new Object[] {17, "2001:2::1", 4000, "2001:2::11", 53},   // 0 in range, matches
                new Object[] {17, "2001:2::12", 53, "2001:2::1", 4000},   // 1 reply, matches
                new Object[] {17, "2001:2::1", 4000, "2001:2::13", 53},   // 2 just past the range
                new Object[] {17, "198.18.0.2", 4000, "198.18.0.1", 53}); // 3 IPv4
        assertEquals(List.of(0, 1), matches(bpf, packets));
    }
}
