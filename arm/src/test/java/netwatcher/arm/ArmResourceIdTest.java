package netwatcher.arm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ArmResourceId: parsing, formatting, case rules, navigation and the ids it refuses. */
class ArmResourceIdTest {
    static final String CAPTURE = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/networkWatchers/nw/packetCaptures/pc1";

    @Test
    void parse_readsEverySegment() {
        ArmResourceId id = ArmResourceId.parse(CAPTURE, "id");
        assertEquals("s1", id.subscriptionId());
        assertEquals("rg", id.resourceGroup());
        assertEquals("Microsoft.Network", id.namespace());
        assertEquals(List.of("networkWatchers", "packetCaptures"), id.types());
        assertEquals(List.of("nw", "pc1"), id.names());
        assertEquals("Microsoft.Network/networkWatchers/packetCaptures", id.type());
        assertEquals("pc1", id.name());
    }

    @Test
    void toString_roundTripsTheSpellingGiven() {
        assertEquals(CAPTURE, ArmResourceId.parse(CAPTURE, "id").toString());
        String mixed = "/subscriptions/S1/resourceGroups/RG/providers/microsoft.network/NetworkWatchers/NW";
        assertEquals(mixed, ArmResourceId.parse(mixed, "id").toString());
    }

    @Test
    void toString_writesCanonicalKeywordsWhateverTheirInputCase() {
        ArmResourceId id = ArmResourceId.parse("/SUBSCRIPTIONS/s/RESOURCEGROUPS/rg/PROVIDERS/Microsoft.Compute/virtualMachines/vm", "id");
        assertEquals("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm", id.toString());
    }

    @Test
    void key_isLowerCase_andSameAsIgnoresCase() {
        ArmResourceId a = ArmResourceId.parse(CAPTURE, "id");
        ArmResourceId b = ArmResourceId.parse(CAPTURE.toUpperCase(java.util.Locale.ROOT), "id");
        assertEquals(CAPTURE.toLowerCase(java.util.Locale.ROOT), a.key());
        assertEquals(a.key(), b.key());
        assertTrue(a.sameAs(b));
        assertFalse(a.sameAs(null));
        assertFalse(a.equals(b), "record equality keeps the spelling; sameAs is the case-insensitive comparison");
        assertTrue(a.isType("microsoft.network/NETWORKWATCHERS/packetcaptures"));
    }

    @Test
    void tryParse_toleratesMissingLeadingSlashTrailingSlashAndSurroundingSpace() {
        ArmResourceId expected = ArmResourceId.parse(CAPTURE, "id");
        assertEquals(Optional.of(expected), ArmResourceId.tryParse(CAPTURE.substring(1)));
        assertEquals(Optional.of(expected), ArmResourceId.tryParse(CAPTURE + "/"));
        assertEquals(Optional.of(expected), ArmResourceId.tryParse("  " + CAPTURE + " "));
    }

    @Test
    void tryParse_readsSubscriptionAndResourceGroupIds() {
        ArmResourceId sub = ArmResourceId.tryParse("/subscriptions/s1").orElseThrow();
        assertEquals(ArmResourceId.subscription("s1"), sub);
        assertEquals("Microsoft.Resources/subscriptions", sub.type());
        assertEquals("s1", sub.name());
        ArmResourceId rg = ArmResourceId.tryParse("/subscriptions/s1/resourceGroups/rg").orElseThrow();
        assertEquals(ArmResourceId.resourceGroup("s1", "rg"), rg);
        assertEquals("Microsoft.Resources/resourceGroups", rg.type());
        assertEquals("rg", rg.name());
        assertEquals("/subscriptions/s1/resourceGroups/rg", rg.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "subscriptions", "/subscriptions/", "/tenants/t", "/subscriptions/s/resourceGroup/rg",
            "/subscriptions/s/resourceGroups/rg/providers", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network",
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkWatchers",
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkWatchers/nw/packetCaptures",
            "/subscriptions/s/resourceGroups/rg/provider/Microsoft.Network/networkWatchers/nw",
            "/subscriptions/s/resourceGroups//providers/Microsoft.Network/networkWatchers/nw",
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkWatchers/ nw",
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkWatchers/n\tw",
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkWatchers/nw\u007f",
            "//subscriptions/s"})
    void tryParse_whenNotAnId_isEmpty(String text) {
        assertEquals(Optional.empty(), ArmResourceId.tryParse(text));
    }

    @Test
    void tryParse_whenNull_isEmpty() {
        assertEquals(Optional.empty(), ArmResourceId.tryParse(null));
    }

    @Test
    void parse_whenNotAnId_isInvalidParameterNamingTheFieldAndTheShape() {
        ArmException e = assertThrows(ArmException.class,
                () -> ArmResourceId.parse("/subscriptions/s/vm", "properties.target"));
        assertEquals(ArmErrorCode.InvalidParameter, e.code());
        assertEquals("properties.target", e.error().target());
        assertTrue(e.error().message().startsWith("Property 'properties.target' must be an ARM resource id like /subscriptions/"),
                e.error().message());
        assertTrue(e.error().message().endsWith("was '/subscriptions/s/vm'."), e.error().message());
    }

    @Test
    void of_child_parent_navigate() {
        ArmResourceId watcher = ArmResourceId.of("s1", "rg", "Microsoft.Network", "networkWatchers", "nw");
        ArmResourceId capture = watcher.child("packetCaptures", "pc1");
        assertEquals(CAPTURE, capture.toString());
        assertEquals(Optional.of(watcher), capture.parent());
        assertEquals(Optional.empty(), watcher.parent(), "a top-level resource has no parent id");
        assertEquals(List.of("networkWatchers"), watcher.types(), "child leaves the original alone");
    }

    @Test
    void construct_whenInconsistent_fails() {
        assertThrows(IllegalArgumentException.class, () -> new ArmResourceId(" ", null, null, List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new ArmResourceId(null, null, null, List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new ArmResourceId("s", "rg", "ns", List.of("a", "b"), List.of("x")));
        assertThrows(IllegalArgumentException.class, () -> new ArmResourceId("s", null, "ns", List.of("a"), List.of("x")));
        assertThrows(IllegalArgumentException.class, () -> new ArmResourceId("s", "rg", null, List.of("a"), List.of("x")));
    }
}
