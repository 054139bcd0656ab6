package netwatcher.model.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import org.junit.jupiter.api.Tag;

/**
 * Fuzzes ARM's capture-filter notation: five arbitrary field strings through
 * {@link CaptureFilter#parse}. The only allowed failure is a {@link FilterNotationException} whose
 * field is one of the five; a parsed set must be non-empty, ordered, and its normalised notation must
 * parse back to the same set. Seeds: {@code CaptureFilterFuzzTestInputs/filter}.
 */
@Tag("fuzz")
class CaptureFilterFuzzTest {
    private static final String PATH = "properties.filters[0]";
    private static final List<String> FIELDS = List.of("protocol", "localIPAddress", "remoteIPAddress", "localPort", "remotePort");

    @FuzzTest(maxDuration = "20s")
    void filter(FuzzedDataProvider data) {
        String protocol = data.consumeString(8);
        String localIp = data.consumeString(200);
        String remoteIp = data.consumeString(200);
        String localPort = data.consumeString(60);
        String remotePort = data.consumeRemainingAsString();
        CaptureFilter f;
        try {
            f = CaptureFilter.parse(PATH, protocol, localIp, remoteIp, localPort, remotePort);
        } catch (FilterNotationException e) {
            assertEquals(FilterNotationException.class, e.getClass());
            assertTrue(FIELDS.stream().anyMatch(name -> e.field().equals(PATH + "." + name)), e.field());
            assertTrue(e.getMessage().startsWith(e.field() + ": "), e.getMessage());
            String given = protocol + localIp + remoteIp + localPort + remotePort;
            assertFalse(e.getMessage().contains("Exception") && !given.contains("Exception"), e.getMessage());
            return;
        }
        assertNotNull(f.protocol());
        addresses(f.localAddresses());
        addresses(f.remoteAddresses());
        ports(f.localPorts());
        ports(f.remotePorts());
    }

    private static void addresses(AddressSet set) {
        if (set == null) return;
        assertFalse(set.ranges().isEmpty());
        for (AddressSet.Range r : set.ranges()) {
            assertTrue(AddressSet.compare(r.from(), r.to()) <= 0, () -> "range out of order: " + r);
        }
        set.ipv4();
        AddressSet again = AddressSet.parse("f", set.notation());
        assertEquals(set.notation(), again.notation());
        assertEquals(set.ranges().size(), again.ranges().size());
    }

    private static void ports(PortSet set) {
        if (set == null) return;
        assertFalse(set.ranges().isEmpty());
        for (PortSet.Range r : set.ranges()) assertTrue(0 <= r.from() && r.from() <= r.to() && r.to() <= 65535, r::toString);
        assertEquals(set, PortSet.parse("f", set.notation()));
    }
}
