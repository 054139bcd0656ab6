package netwatcher.model.agent;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HostNamesTest {
    @Test
    void interfaceNames_followLinuxAndArmRules() {
        for (String ok : new String[] {"eth0", "enp0s31f6", "br-1a2b3c4d5e6f", "eth0.100", "nw-app-e1", "a", "x".repeat(15), "_x"}) {
            assertTrue(HostNames.interfaceName(ok), ok);
        }
        for (String bad : new String[] {"", ".", "..", "../../x", "a/b", "eth 0", "eth0\t", "eth:0", "x".repeat(16), "ethé", "e\u0000"}) {
            assertFalse(HostNames.interfaceName(bad), bad);
        }
        assertFalse(HostNames.interfaceName(null));
    }

    @Test
    void hostnames_areDnsLikeLabels() {
        for (String ok : new String[] {"app", "db-1.lab.example", "my_host", "a.b.", "x".repeat(63)}) {
            assertTrue(HostNames.hostname(ok), ok);
        }
        for (String bad : new String[] {"", "(none)", "../../etc", "-app", "app-", "a..b", "x".repeat(64), "a b", "a".repeat(60) + "." + "b".repeat(60) + "." + "c".repeat(60) + "." + "d".repeat(60) + ".eeeeeeeeeeeeee"}) {
            assertFalse(HostNames.hostname(bad), bad);
        }
    }
}
