package netwatcher.agent.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import netwatcher.model.capture.BpfFilters;
import netwatcher.model.capture.CaptureFilter;

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
}
