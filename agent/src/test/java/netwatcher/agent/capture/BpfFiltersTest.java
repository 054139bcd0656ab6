package netwatcher.agent.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import netwatcher.model.capture.BpfFilters;
import netwatcher.model.capture.CaptureFilter;
import netwatcher.testing.netns.ProcessResult;
import netwatcher.testing.netns.Processes;

class BpfFiltersTest {
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

    private static String compileChecked(List<CaptureFilter> filters, List<InetAddress> host) {
        String bpf = BpfFilters.compile(filters, host);
        CaptureEngine.checkFilter(bpf, Pcap.DLT_EN10MB);
        CaptureEngine.checkFilter(bpf, Pcap.DLT_LINUX_SLL2);
        return bpf;
    }

    @Test
    void compile_whenNoFilters_returnsEmptyTextThatMatchesEverything() {
        assertEquals("", compileChecked(List.of(), HOST));
    }

    @Test
    void compile_whenTcpLocalPort_pairsHostAddressWithPortPerDirection() {
        assertEquals("tcp and ((ip src host 198.18.0.2 and src port 80) or (ip dst host 198.18.0.2 and dst port 80))",
                compileChecked(List.of(filter("TCP", null, null, "80", null)), HOST));
    }

    @Test
    void compile_whenNoLocalAddressKnown_constrainsDirectionByPortsOnly() {
        assertEquals("tcp and (src port 80 or dst port 80)",
                compileChecked(List.of(filter("TCP", null, null, "80", null)), List.of()));
    }

    @Test
    void compile_whenAnyProtocolWithPorts_matchesTcpAndUdp() {
        assertEquals("(tcp or udp) and (dst port 53 or src port 53)",
                compileChecked(List.of(filter("Any", null, null, null, "53")), List.of()));
    }

    @Test
    void compile_whenAnyProtocolWithoutFields_matchesEverything() {
        assertEquals("", compileChecked(List.of(filter("Any", null, null, null, null)), List.of()));
    }

    @Test
    void compile_whenPortRangeAndList_usesPortrangeAndOr() {
        String bpf = compileChecked(List.of(filter("UDP", "198.18.0.2", null, "5000-5010", "1;2;")), List.of());
        assertEquals("udp and ((ip src host 198.18.0.2 and src portrange 5000-5010 and (dst port 1 or dst port 2))"
                + " or (ip dst host 198.18.0.2 and dst portrange 5000-5010 and (src port 1 or src port 2)))", bpf);
    }

    @Test
    void compile_whenIpv4Range_decomposesExactlyIntoCidrBlocks() {
        String bpf = compileChecked(List.of(filter("Any", null, "10.0.0.1-10.0.0.6", null, null)), List.of());
        assertEquals("((ip dst host 10.0.0.1 or ip dst net 10.0.0.2/31 or ip dst net 10.0.0.4/31 or ip dst host 10.0.0.6)"
                + " or (ip src host 10.0.0.1 or ip src net 10.0.0.2/31 or ip src net 10.0.0.4/31 or ip src host 10.0.0.6))", bpf);
    }

    @Test
    void compile_whenIpv6RangeAndAddress_usesIp6() {
        String bpf = compileChecked(List.of(filter("TCP", "2001:2::1", "2001:2::10-2001:2::13", null, null)), List.of());
        assertEquals("tcp and ((ip6 src host 2001:2:0:0:0:0:0:1 and ip6 dst net 2001:2:0:0:0:0:0:10/126)"
                + " or (ip6 dst host 2001:2:0:0:0:0:0:1 and ip6 src net 2001:2:0:0:0:0:0:10/126))", bpf);
    }

    @Test
    void compile_whenSeveralFilters_orsThem() {
        String bpf = compileChecked(List.of(filter("TCP", null, null, "80", null), filter("UDP", null, null, "53", null)), List.of());
        assertEquals("((tcp and (src port 80 or dst port 80)) or (udp and (src port 53 or dst port 53)))", bpf);
    }

    @Test
    void compile_whenOneFilterMatchesEverything_returnsEmpty() {
        assertEquals("", compileChecked(List.of(filter("TCP", null, null, "80", null), filter("Any", null, null, null, null)), List.of()));
    }

    @Test
    void cidrs_forRandomRanges_coverEachRangeExactly() {
        Random random = new Random(42);
        for (int i = 0; i < 500; i++) {
            boolean v6 = i % 2 == 1;
            int bits = v6 ? 128 : 32;
            BigInteger a = new BigInteger(bits, random);
            BigInteger b = a.add(new BigInteger(random.nextInt(24) + 1, random));
            if (b.bitLength() > bits) b = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE);
            List<BpfFilters.Cidr> blocks = BpfFilters.cidrs(toAddress(a, bits), toAddress(b, bits), bits);
            BigInteger next = a;
            for (BpfFilters.Cidr block : blocks) {
                BigInteger start = new BigInteger(1, block.address().getAddress());
                assertEquals(next, start, "blocks must be contiguous");
                int host = bits - block.prefix();
                assertEquals(0, start.mod(BigInteger.ONE.shiftLeft(host)).signum(), "block must be aligned");
                next = start.add(BigInteger.ONE.shiftLeft(host));
            }
            assertEquals(b.add(BigInteger.ONE), next, "blocks must end exactly at the range end");
        }
    }

    @Test
    void cidrs_forWholeIpv4Space_isOneBlock() {
        List<BpfFilters.Cidr> blocks = BpfFilters.cidrs(address("0.0.0.0"), address("255.255.255.255"), 32);
        assertEquals(List.of(new BpfFilters.Cidr(address("0.0.0.0"), 0)), blocks);
    }

    private static InetAddress toAddress(BigInteger value, int bits) {
        byte[] raw = value.toByteArray();
        byte[] bytes = new byte[bits / 8];
        int copy = Math.min(raw.length, bytes.length);
        System.arraycopy(raw, raw.length - copy, bytes, bytes.length - copy, copy);
        try {
            return bits == 128 ? java.net.Inet6Address.getByAddress(null, bytes, -1) : InetAddress.getByAddress(bytes);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void checkFilter_whenFilterIsInvalid_throwsWithLibpcapMessage() {
        CaptureException e = assertThrows(CaptureException.class, () -> CaptureEngine.checkFilter("port bogus", 1));
        assertTrue(e.getMessage().contains("bogus"), e.getMessage());
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
