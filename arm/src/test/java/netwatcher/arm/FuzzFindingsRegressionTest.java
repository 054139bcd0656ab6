package netwatcher.arm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The inputs fuzzing found (also in the fuzz targets' seed corpora), as plain tests that say what is expected. */
class FuzzFindingsRegressionTest {

    private static ArmException refused(String body) {
        return refused(body.getBytes(StandardCharsets.UTF_8));
    }

    private static ArmException refused(byte[] body) {
        return assertThrows(ArmException.class, () -> ArmBody.root(body));
    }

    @Test
    void nestingPastTheParserLimit_saysTheLimit_notTheLibrary() {
        ArmException e = refused("[".repeat(2000) + "]".repeat(2000));
        assertEquals(ArmErrorCode.InvalidRequestFormat, e.code());
        assertTrue(e.error().message().contains("deeper than 1000 levels"), e.error().message());
        assertFalse(e.error().message().contains("StreamReadConstraints"), e.error().message());
    }

    @Test
    void trailingTokens_areInvalidJson_withoutJacksonNames() {
        ArmException e = refused("{\"a\":1} \"b\"");
        assertEquals(ArmErrorCode.InvalidRequestFormat, e.code());
        assertTrue(e.error().message().contains("more input after the JSON value"), e.error().message());
        assertFalse(e.error().message().toLowerCase().contains("jackson"), e.error().message());
    }

    @Test
    void nonStandardTokens_dropTheLibrarysFeatureHints() {
        for (String body : new String[] {"{\"a\":NaN}", "{/*c*/\"a\":1}", "{'a':1}"}) {
            String message = refused(body).error().message();
            assertFalse(message.contains("`") || message.contains("Feature"), message);
        }
    }

    @Test
    void bytesInNoUnicodeEncoding_areInvalidRequestFormat_notAnIoError() {
        byte[] utf32OutOfRange = {0, 0, 0, 0, '{', '/', '*', 'c', '*', 0, 0, 0, 0, '/'};
        ArmException e = refused(utf32OutOfRange);
        assertEquals(ArmErrorCode.InvalidRequestFormat, e.code());
        assertTrue(e.error().message().contains("UTF-8"), e.error().message());
    }

    @Test
    void resourceIdNamesWithControlCharactersOrSurroundingSpaces_areRefused() {
        String vm = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/";
        assertTrue(ArmResourceId.tryParse(vm + "vm1\0\0/").isEmpty());
        assertTrue(ArmResourceId.tryParse(vm + "vm\u007f1").isEmpty());
        assertTrue(ArmResourceId.tryParse("/subscriptions/ s /resourceGroups/rg").isEmpty());
        assertEquals(vm + "vm1", ArmResourceId.tryParse("  " + vm + "vm1/ ").orElseThrow().toString());
    }
}
