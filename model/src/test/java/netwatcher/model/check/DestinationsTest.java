package netwatcher.model.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The destination port rule the controller and the agent share. */
class DestinationsTest {

    @Test
    void anAskedPortWins() {
        assertEquals(8080, Destinations.port("Https", "https://h.example:8443/x", 8080));
    }

    @Test
    void aUrlGivesItsOwnPortThenItsSchemes() {
        assertEquals(8443, Destinations.port("Tcp", "https://h.example:8443/x", 0));
        assertEquals(443, Destinations.port("Tcp", "https://h.example/x", 0));
        assertEquals(80, Destinations.port("Https", "http://h.example/", 0), "the URL's scheme, not the protocol, says where it listens");
        assertEquals(443, Destinations.port("Http", "https://h.example/", 0));
    }

    @Test
    void otherwiseTheProtocolsDefault_anyCase_absentIsTcp() {
        assertEquals(80, Destinations.port("Tcp", "h.example", 0));
        assertEquals(80, Destinations.port("HTTP", null, 0));
        assertEquals(443, Destinations.port("https", null, 0));
        assertEquals(0, Destinations.port("Icmp", null, 0));
        assertEquals(80, Destinations.port(null, null, 0));
        assertEquals(80, Destinations.port("Tcp", "not a url://[", 0), "an unusable URL falls back to the protocol");
    }

    @Test
    void theDefaultHttpProbeIsAGetWithNoHeadersAndAny2xx() {
        ProbeSpec.Http http = Destinations.defaultHttp("/health");
        assertEquals("Get", http.method());
        assertEquals(0, http.headers().size());
        assertEquals(0, http.validStatusCodes().size());
        assertEquals("/health", http.path());
    }
}
