package netwatcher.agent.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which interfaces an agent leaves alone, from its setting and from the kernel alias (a fake /sys/class/net). */
class InterfaceExclusionsTest {
    @TempDir
    Path sys;

    void alias(String nic, String alias) throws Exception {
        Files.createDirectories(sys.resolve(nic));
        Files.writeString(sys.resolve(nic).resolve("ifalias"), alias + "\n");
    }

    @Test
    void excludes_namesPatternsAndMarkedInterfaces() throws Exception {
        alias("nwlabm", "netwatcher:ignore/lab-lab");
        alias("mgmt0", "netwatcher:ignore");
        alias("eth0", "uplink to the rack switch");
        alias("eth1", "");
        var excluded = InterfaceExclusions.of(Set.of("docker0", "veth*", "*-tmp"), sys);
        assertTrue(excluded.excludes("docker0"));
        assertTrue(excluded.excludes("veth12ab"));
        assertTrue(excluded.excludes("br-tmp"));
        assertTrue(excluded.excludes("nwlabm"), "marked by the lab");
        assertTrue(excluded.excludes("mgmt0"), "marked by an administrator");
        assertFalse(excluded.excludes("eth0"), "an alias that is not the mark");
        assertFalse(excluded.excludes("eth1"));
        assertFalse(excluded.excludes("eth2"), "no alias file");
        assertFalse(excluded.excludes("docker"));
        assertEquals(List.of("eth0", "eth1"), excluded.keep(List.of("nwlabm", "eth0", "veth1", "eth1", "mgmt0")));
    }

    @Test
    void excludes_neverReadsOutsideSysfsForOddNames() throws Exception {
        Files.writeString(sys.resolve("ifalias"), "netwatcher:ignore");
        assertFalse(InterfaceExclusions.of(Set.of(), sys.resolve("x")).excludes(".."));
    }
}
