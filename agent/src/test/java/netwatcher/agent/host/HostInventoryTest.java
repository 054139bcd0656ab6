package netwatcher.agent.host;

import netwatcher.model.agent.NicReport;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostInventoryTest {
    @Test
    void osName_whenPrettyNamePresent_returnsIt() {
        assertEquals("Debian GNU/Linux 12 (bookworm)",
                HostInventory.osName("NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"));
        assertEquals("Fedora 40", HostInventory.osName("NAME=Fedora\nVERSION_ID=40\n"));
        assertEquals("Linux", HostInventory.osName(""));
    }

    @Test
    void capabilityProblems_whenNetRawAndAdminMissing_namesBoth() {
        List<String> none = HostInventory.capabilityProblems("Name:\tjava\nCapEff:\t0000000000000000\n");
        assertEquals(2, none.size());
        assertTrue(none.get(0).startsWith("CAP_NET_RAW missing"));
        assertTrue(none.get(1).startsWith("CAP_NET_ADMIN missing"));
        assertEquals(List.of(), HostInventory.capabilityProblems("CapEff:\t0000000000003000\n"));
        assertEquals(List.of(), HostInventory.capabilityProblems("CapEff:\t000001ffffffffff\n"));
    }

    @Test
    void compress_whenJavaLongForm_givesRfc5952Form() {
        assertEquals("2001:2::10", HostInventory.compress("2001:2:0:0:0:0:0:10"));
        assertEquals("2001:2:0:1::1", HostInventory.compress("2001:2:0:1:0:0:0:1"));
    }

    @Test
    void interfaces_leaveOutLoopbackAndIgnoredOnes() {
        List<NicReport> all = HostInventory.interfaces(Set.of());
        assertFalse(all.stream().anyMatch(n -> n.name().equals("lo")));
        assertTrue(all.stream().filter(NicReport::primary).count() <= 1);
        if (!all.isEmpty()) {
            String first = all.getFirst().name();
            assertFalse(HostInventory.interfaces(Set.of(first)).stream().anyMatch(n -> n.name().equals(first)));
        }
        for (NicReport n : all) {
            for (String a : n.addresses()) assertTrue(a.matches(".+/\\d+") && !a.startsWith("fe80"), a);
        }
    }

    @Test
    void snapshot_whenRoot_reportsCaptureWithoutProblems() {
        var report = new HostInventory("0.1.0", "h", Set.of(), java.util.Optional::empty).snapshot();
        assertEquals(List.of(), report.problems(), "this test runs as root with libpcap installed");
        assertEquals(List.of("capture"), report.capabilities());
    }
}
