package netwatcher.agent.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import netwatcher.agent.capture.CaptureEngine;
import org.junit.jupiter.api.Test;

/** The evidence filter: what it selects, and that libpcap compiles every shape (on a dead handle, no interface). */
class EvidenceFilterTest {
    static final InetAddress APP = InetAddress.ofLiteral("198.18.1.10");
    static final InetAddress APP6 = InetAddress.ofLiteral("2001:2:0:1::10");
    static final InetAddress DB = InetAddress.ofLiteral("198.18.3.10");
    static final InetAddress DB6 = InetAddress.ofLiteral("2001:2:0:3::10");

    static void compiles(String bpf) {
        CaptureEngine.checkFilter(bpf, 276); // LINUX_SLL2: the link type of a capture on several interfaces
        CaptureEngine.checkFilter(bpf, 1);
    }

    @Test
    void tcp_selectsBothDirectionsAndIcmpErrorsQuotingTheDestination() {
        String bpf = EvidenceFilter.of("Tcp", List.of(APP), DB, 1433, 0);
        assertEquals("(tcp and (src host 198.18.1.10) and dst host 198.18.3.10 and dst port 1433)"
                + " or (tcp and (dst host 198.18.1.10) and src host 198.18.3.10 and src port 1433)"
                + " or (icmp and (icmp[0] == 3 or icmp[0] == 11) and (dst host 198.18.1.10) and icmp[24:4] == 0xc612030a)", bpf);
        compiles(bpf);
    }

    @Test
    void fixedSourcePort_isPartOfTheFilter() {
        String bpf = EvidenceFilter.of("Http", List.of(APP), DB, 80, 40000);
        assertTrue(bpf.contains("src port 40000") && bpf.contains("dst port 40000"), bpf);
        compiles(bpf);
    }

    @Test
    void unresolvedDestination_leavesTheAddressOut_andKeepsEverySourceAddress() {
        String bpf = EvidenceFilter.of("Https", List.of(APP, APP6), null, 443, 0);
        assertFalse(bpf.contains("dst host 198.18.3"), bpf);
        assertTrue(bpf.contains("src host 198.18.1.10 or src host 2001:2:0:1::10"), bpf);
        assertTrue(bpf.contains("icmp6 and (ip6[40] == 1 or ip6[40] == 3)"), bpf);
        compiles(bpf);
    }

    @Test
    void knownDestination_keepsOnlySourceAddressesOfItsFamily() {
        String bpf = EvidenceFilter.of("Tcp", List.of(APP, APP6), DB6, 1433, 0);
        assertFalse(bpf.contains("198.18.1.10"), bpf);
        assertTrue(bpf.contains("dst host 2001:2:0:3::10"), bpf);
        compiles(bpf);
    }

    @Test
    void icmp_selectsTheEchoesBetweenSourceAndDestination() {
        String bpf = EvidenceFilter.of("Icmp", List.of(APP), DB, 0, 0);
        assertTrue(bpf.startsWith("((icmp or icmp6) and (host 198.18.1.10) and host 198.18.3.10)"), bpf);
        assertFalse(bpf.contains("port"), bpf);
        compiles(bpf);
    }

    @Test
    void noSourceAddress_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> EvidenceFilter.of("Tcp", List.of(), DB, 80, 0));
    }
}
