package netwatcher.model.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One filter's five fields parsed together; the sets' own rules (ranges, families, order). */
class CaptureFilterTest {

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void parse_allFields_eachUnderItsPath() {
        CaptureFilter f = CaptureFilter.parse("properties.filters[2]", "udp", "198.18.1.10", "198.18.3.1-198.18.3.9", "53", "1000;2000;");
        assertEquals(FilterProtocol.UDP, f.protocol());
        assertEquals("198.18.1.10", f.localAddresses().notation());
        assertEquals("198.18.3.1-198.18.3.9", f.remoteAddresses().notation());
        assertEquals("53", f.localPorts().notation());
        assertEquals("1000;2000;", f.remotePorts().notation());
    }

    @Test
    void parse_blankFieldsMeanAny() {
        CaptureFilter f = CaptureFilter.parse("f", null, "", " ", null, "");
        assertEquals(FilterProtocol.ANY, f.protocol());
        assertNull(f.localAddresses());
        assertNull(f.remoteAddresses());
        assertNull(f.localPorts());
        assertNull(f.remotePorts());
    }

    @Test
    void construct_nullProtocolIsAny() {
        assertEquals(FilterProtocol.ANY, new CaptureFilter(null, null, null, null, null).protocol());
    }

    @Test
    void parse_errorsNameTheFieldUnderThePath() {
        String path = "properties.filters[1]";
        assertEquals(path + ".protocol",
                assertThrows(FilterNotationException.class, () -> CaptureFilter.parse(path, "ICMP", null, null, null, null)).field());
        assertEquals(path + ".localIPAddress",
                assertThrows(FilterNotationException.class, () -> CaptureFilter.parse(path, null, "x", null, null, null)).field());
        assertEquals(path + ".remoteIPAddress",
                assertThrows(FilterNotationException.class, () -> CaptureFilter.parse(path, null, null, "1.2.3", null, null)).field());
        assertEquals(path + ".localPort",
                assertThrows(FilterNotationException.class, () -> CaptureFilter.parse(path, null, null, null, "65536", null)).field());
        assertEquals(path + ".remotePort",
                assertThrows(FilterNotationException.class, () -> CaptureFilter.parse(path, null, null, null, null, "9-1")).field());
    }

    @Test
    void protocol_wireValues_andTheAllAlias() {
        assertEquals("TCP", FilterProtocol.TCP.wire());
        assertEquals("UDP", FilterProtocol.UDP.wire());
        assertEquals("Any", FilterProtocol.ANY.wire());
        assertEquals(FilterProtocol.ANY, FilterProtocol.parse("all"));
        assertEquals(FilterProtocol.ANY, FilterProtocol.parse(" Any "));
        assertEquals(FilterProtocol.UDP, FilterProtocol.parse("Udp"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FilterProtocol.parse("SCTP"));
        assertEquals("protocol must be one of TCP, UDP, Any; was 'SCTP'", e.getMessage());
    }

    @Test
    void ports_boundsAndMessages() {
        assertEquals("0-65535", PortSet.parse("f", "0-65535").notation());
        assertTrue(PortSet.parse("f", "7").ranges().getFirst().single());
        assertEquals("f: port 65536 is above 65535",
                assertThrows(FilterNotationException.class, () -> PortSet.parse("f", "65536")).getMessage());
        assertEquals("f: range '90-80' starts above its end",
                assertThrows(FilterNotationException.class, () -> PortSet.parse("f", "90-80")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PortSet.Range(5, 4));
        assertThrows(IllegalArgumentException.class, () -> new PortSet.Range(-1, 4));
        assertThrows(IllegalArgumentException.class, () -> new PortSet.Range(1, 65536));
        assertThrows(IllegalArgumentException.class, () -> new PortSet(List.of()));
    }

    @Test
    void addresses_familyAndOrder() throws Exception {
        assertTrue(AddressSet.parse("f", "198.18.0.1;198.18.0.2").ipv4());
        assertFalse(AddressSet.parse("f", "2001:2::1").ipv4());
        assertFalse(AddressSet.parse("f", "198.18.0.1;2001:2::1").ipv4(), "a list may mix families; ipv4() is then false");
        assertTrue(AddressSet.compare(ip("198.18.0.9"), ip("198.18.0.10")) < 0, "numeric, not textual order");
        assertTrue(AddressSet.compare(ip("2001:2::ff"), ip("2001:2::1:0")) < 0);
        assertEquals(0, AddressSet.compare(ip("198.18.0.1"), ip("198.18.0.1")));
        assertEquals("198.18.0.5", AddressSet.parse("f", "198.18.0.5-198.18.0.5").ranges().getFirst().from().getHostAddress());
        assertThrows(IllegalArgumentException.class, () -> new AddressSet.Range(ip("198.18.0.1"), ip("2001:2::1")));
        assertThrows(IllegalArgumentException.class, () -> new AddressSet(List.of()));
    }

    @Test
    void addresses_neverResolveHostNames() {
        for (String name : List.of("localhost", "db", "web.lab.test", "1.2.3.4.example")) {
            FilterNotationException e = assertThrows(FilterNotationException.class, () -> AddressSet.parse("f", name));
            assertTrue(e.getMessage().contains("is not an IPv4 or IPv6 address"), e.getMessage());
        }
    }
}
