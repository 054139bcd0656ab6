package netwatcher.testing.netns;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("netns")
class VethPairTest {

    private static boolean namespaceExists(String name) {
        return Files.exists(Path.of("/var/run/netns", name));
    }

    @Test
    void beforeEach_createsTwoConnectedNamespaces_andAfterEachRemovesThem() throws Exception {
        VethPair pair = new VethPair();
        pair.beforeEach(null);
        String left;
        String right;
        try {
            left = pair.left().name();
            right = pair.right().name();
            assertTrue(left.startsWith("nwt") && left.length() <= 15, left);
            assertTrue(namespaceExists(left) && namespaceExists(right));
            // nothing listens on port 9 in "right": a refused connection proves the RST came back over the veth
            ProcessResult connect = pair.left().exec("timeout", "10", "bash", "-c",
                    "exec 3<>/dev/tcp/" + pair.right().ipv4().getHostAddress() + "/9");
            assertTrue(connect.stderr().contains("Connection refused"), connect.toString());
            // setns affects only the thread that called it: this thread still sees the host's interfaces
            String inside = pair.right().call(() -> Files.readString(Path.of("/proc/thread-self/net/dev")));
            assertTrue(inside.contains(pair.right().interfaceName()), inside);
            assertFalse(Files.readString(Path.of("/proc/thread-self/net/dev")).contains(pair.right().interfaceName()));
        } finally {
            pair.afterEach(null);
        }
        assertFalse(namespaceExists(left), left + " removed");
        assertFalse(namespaceExists(right), right + " removed");
    }

    @Test
    void call_whenNamespaceMissing_throws() {
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> Netns.call("nwt-does-not-exist", () -> 1));
        assertTrue(e.getMessage().contains("nwt-does-not-exist"), e.getMessage());
    }
}
