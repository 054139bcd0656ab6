package netwatcher.model.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** ARM filter notation: single values, one range, one list; everything else refused naming the field. */
class NotationTest {

    @Test
    void addresses_singleRangeAndList_parseAndNormalise() {
        assertEquals("198.18.0.1", AddressSet.parse("f", " 198.18.0.1 ").notation());
        assertEquals("198.18.0.1-198.18.0.9", AddressSet.parse("f", "198.18.0.1-198.18.0.9").notation());
        assertEquals("198.18.0.1;198.18.0.5;", AddressSet.parse("f", "198.18.0.1;198.18.0.5;").notation());
        assertEquals("2001:2:0:0:0:0:0:1-2001:2:0:0:0:0:0:9", AddressSet.parse("f", "2001:2::1-2001:2::9").notation());
        assertNull(AddressSet.parse("f", "  "));
    }

    @Test
    void ports_singleRangeAndList_parse() {
        assertEquals("80", PortSet.parse("f", "80").notation());
        assertEquals("80-85", PortSet.parse("f", "80-85").notation());
        assertEquals("80;443;", PortSet.parse("f", "80;443").notation());
        assertEquals(2, PortSet.parse("f", "80;443;").ranges().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"80-85;90", "80-85-90", "80;;90", ";80", "70000", "85-80", "a", "80-", "-80"})
    void ports_badNotation_isRefusedNamingTheField(String value) {
        var e = assertThrows(FilterNotationException.class, () -> PortSet.parse("properties.filters[0].localPort", value));
        assertEquals("properties.filters[0].localPort", e.field());
    }

    @ParameterizedTest
    @ValueSource(strings = {"198.18.0.1-198.18.0.5;198.18.0.9", "198.18.0.1-198.18.0.2-198.18.0.3", "198.18.0.256",
            "web.lab.test", "198.18.0.9-198.18.0.1", "198.18.0.1-2001:2::1", "198.18.0.1;;"})
    void addresses_badNotation_isRefused(String value) {
        var e = assertThrows(FilterNotationException.class, () -> AddressSet.parse("properties.filters[0].remoteIPAddress", value));
        assertTrue(e.getMessage().startsWith("properties.filters[0].remoteIPAddress: "), e.getMessage());
    }

    @Test
    void dashesThatJoinNoElements_areCalledWhatTheValueIsNot_notMoreThanOneRange() {
        var port = assertThrows(FilterNotationException.class, () -> PortSet.parse("properties.filters[1].localPort", "not-a-port"));
        assertEquals("properties.filters[1].localPort", port.field());
        assertTrue(port.getMessage().contains("'not-a-port' is not a port number (0-65535), one range a-b or one list a;b;"), port.getMessage());
        var address = assertThrows(FilterNotationException.class, () -> AddressSet.parse("f", "my-host;198.18.0.1"));
        assertTrue(address.getMessage().contains("is not an IPv4 or IPv6 address"), address.getMessage());
        var ranges = assertThrows(FilterNotationException.class, () -> PortSet.parse("f", "80-85-90"));
        assertTrue(ranges.getMessage().contains("has more than one range"), "elements joined by two dashes are two ranges: " + ranges.getMessage());
        var mixed = assertThrows(FilterNotationException.class, () -> PortSet.parse("f", "80-85;90"));
        assertTrue(mixed.getMessage().contains("mixes a range with a list"), mixed.getMessage());
    }

    @Test
    void protocol_isCaseInsensitive_andDefaultsToAny() {
        assertEquals(FilterProtocol.TCP, FilterProtocol.parse("tcp"));
        assertEquals(FilterProtocol.ANY, FilterProtocol.parse(null));
        assertThrows(IllegalArgumentException.class, () -> FilterProtocol.parse("ICMP"));
    }
}
