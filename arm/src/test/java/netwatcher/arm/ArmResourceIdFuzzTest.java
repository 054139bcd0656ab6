package netwatcher.arm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Optional;
import org.junit.jupiter.api.Tag;

/**
 * Fuzzes the ARM resource-id parser with any string. {@code tryParse} may only answer empty or an id;
 * {@code parse} may only throw an {@link ArmException} naming the field; a parsed id must print to a
 * form that parses back to the same id, and its parent and type must be computable. Seeds:
 * {@code ArmResourceIdFuzzTestInputs/resourceId}.
 */
@Tag("fuzz")
class ArmResourceIdFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void resourceId(String text) {
        Optional<ArmResourceId> lenient = ArmResourceId.tryParse(text);
        ArmResourceId strict;
        try {
            strict = ArmResourceId.parse(text, "properties.target");
        } catch (ArmException e) {
            FuzzFindings.cleanArmError(e, text);
            assertEquals("properties.target", e.error().target());
            assertTrue(lenient.isEmpty(), "parse refused what tryParse accepted");
            return;
        }
        assertEquals(lenient.orElseThrow().key(), strict.key());
        ArmResourceId again = ArmResourceId.tryParse(strict.toString()).orElseThrow(() -> new AssertionError(
                "id does not parse back from its own form: " + strict));
        assertTrue(again.sameAs(strict), () -> again + " != " + strict);
        strict.type();
        strict.name();
        strict.parent().ifPresent(p -> assertTrue(strict.key().startsWith(p.key() + "/")));
        if (strict.namespace() != null) assertTrue(strict.child("t", "n").parent().orElseThrow().sameAs(strict));
    }
}
