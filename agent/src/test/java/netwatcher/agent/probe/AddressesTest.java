package netwatcher.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;

class AddressesTest {
    @Test
    void text_compressesTheLongestZeroRunOnly() {
        assertEquals("2001:2:0:3::10", Addresses.text(InetAddress.ofLiteral("2001:2:0:3:0:0:0:10")));
        assertEquals("::1", Addresses.text(InetAddress.ofLiteral("::1")));
        assertEquals("2001:db8::1:0:0:1", Addresses.text(InetAddress.ofLiteral("2001:db8:0:0:1:0:0:1")));
        assertEquals("2001:db8:0:1:1:1:1:1", Addresses.text(InetAddress.ofLiteral("2001:db8:0:1:1:1:1:1")));
        assertEquals("fe80::", Addresses.text(InetAddress.ofLiteral("fe80::")));
        assertEquals("198.18.1.1", Addresses.text(InetAddress.ofLiteral("198.18.1.1")));
        assertNull(Addresses.text(null));
    }
}
