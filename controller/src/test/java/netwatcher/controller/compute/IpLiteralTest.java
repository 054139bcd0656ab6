package netwatcher.controller.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Strict IP literals: no names, no DNS, no legacy forms. */
class IpLiteralTest {
    @ParameterizedTest
    @ValueSource(strings = {"198.18.1.10/24", "2001:2::10/64", "198.18.1.10/32", "2001:2::1/128", "fe80::1/64", "169.254.3.4/16"})
    void validPrefixes_parse(String s) {
        assertTrue(IpLiteral.prefix(s).isPresent(), s);
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-an-ip/24", "localhost/8", "example.com/24", "198.18.1.10", "198.18.1.10/", "198.18.1.10/33",
            "198.18.1.10/0", "2001:2::10/129", "198.18.1.10/-1", "198.18.1.10/024", "198.18.1.10/ 24", "127.1/8", "0x7f.0.0.1/8",
            "010.0.0.1/8", "198.18.1.256/24", "2001:2::10%eth0/64", "::ffff:198.18.1.10/120", " 198.18.1.10/24", "198.18.1.10/24 ",
            "1.2.3.4.5/24", "/24", "", "2001:2:::10/64", "198.18.1.10/99999999999"})
    void invalidPrefixes_areRefused(String s) {
        assertTrue(IpLiteral.prefix(s).isEmpty(), s);
    }

    @Test
    void forbiddenAndPathAddresses_areClassified() {
        for (String s : new String[] {"127.0.0.1/8", "::1/128", "0.0.0.0/8", "0.1.2.3/8", "::/64", "224.0.0.1/4", "ff02::1/16",
                "255.255.255.255/32"}) {
            assertTrue(IpLiteral.prefix(s).orElseThrow().forbidden().isPresent(), s);
            assertFalse(IpLiteral.prefix(s).orElseThrow().pathAddress(), s);
        }
        assertTrue(IpLiteral.prefix("fe80::1/64").orElseThrow().forbidden().isEmpty(), "link-local is accepted on a NIC");
        assertFalse(IpLiteral.prefix("fe80::1/64").orElseThrow().pathAddress(), "but is never a path address");
        assertFalse(IpLiteral.prefix("169.254.1.1/16").orElseThrow().pathAddress());
        assertTrue(IpLiteral.prefix("198.18.1.10/24").orElseThrow().pathAddress());
        assertTrue(IpLiteral.prefix("2001:2::10/64").orElseThrow().pathAddress());
    }

    @Test
    void contains_matchesThePrefix() throws Exception {
        IpLiteral net = IpLiteral.prefix("198.18.1.10/23").orElseThrow();
        assertTrue(net.contains(InetAddress.ofLiteral("198.18.0.1")));
        assertTrue(net.contains(InetAddress.ofLiteral("198.18.1.255")));
        assertFalse(net.contains(InetAddress.ofLiteral("198.18.2.1")));
        assertFalse(net.contains(InetAddress.ofLiteral("2001:2::1")));
        assertTrue(IpLiteral.prefix("2001:2::10/64").orElseThrow().contains(InetAddress.ofLiteral("2001:2::ffff")));
        assertEquals("2001:2:0:0:0:0:0:10", IpLiteral.address("2001:2::10").orElseThrow().canonical());
    }
}
