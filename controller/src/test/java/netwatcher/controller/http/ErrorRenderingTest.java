package netwatcher.controller.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import netwatcher.arm.ArmError;
import netwatcher.arm.Json;
import org.junit.jupiter.api.Test;

class ErrorRenderingTest {
    @Test
    void messagesNamingInternals_areReplacedByTheStatusMessage() {
        for (String leak : List.of("Cannot deserialize value of type `int` (java.lang.Integer)", "NullPointerException at x",
                "com.fasterxml.jackson.core.JsonParseException: x", "org.eclipse.jetty.http.BadMessageException: 400",
                "Jetty said no", "cannot read Foo$Bar", "StackOverflowError")) {
            ArmError safe = EdgeErrors.safe(400, new ArmError("InvalidRequestFormat", leak, "x"));
            assertEquals("InvalidRequestFormat", safe.code());
            assertEquals("x", safe.target());
            assertEquals(EdgeErrors.edgeError(400).message(), safe.message(), leak);
        }
        ArmError fine = new ArmError("InvalidParameter", "Property 'properties.filters[0].localPort' is invalid: '70000'.", "t");
        assertEquals(fine, EdgeErrors.safe(400, fine));
        ArmError property = new ArmError("InvalidParameter", "Property 'properties.packetCaptureError' is read-only.", "t");
        assertEquals(property, EdgeErrors.safe(400, property));
    }

    @Test
    void edgeErrors_haveArmCodesAndNoInternals() {
        for (int status : new int[] {400, 404, 405, 408, 413, 414, 415, 416, 431, 500, 501, 503, 505}) {
            ArmError e = EdgeErrors.edgeError(status);
            assertFalse(e.code().isBlank());
            assertFalse(e.message().isBlank());
            String body = new String(EdgeErrors.errorBody(status, e), StandardCharsets.UTF_8);
            assertTrue(Json.tree(body.getBytes(StandardCharsets.UTF_8)).path("error").path("code").isTextual(), body);
            assertFalse(body.toLowerCase().contains("jetty"), body);
        }
        assertEquals("RequestUriTooLong", EdgeErrors.edgeError(414).code());
        assertEquals("RequestHeaderFieldsTooLarge", EdgeErrors.edgeError(431).code());
        assertEquals("InternalServerError", EdgeErrors.edgeError(500).code());
    }

    @Test
    void tokenEndpoints_areRecognisedWhateverTheTenant() {
        assertTrue(EdgeErrors.isTokenEndpoint("/adfs/oauth2/token"));
        assertTrue(EdgeErrors.isTokenEndpoint("/contoso/OAuth2/v2.0/token/"));
        assertFalse(EdgeErrors.isTokenEndpoint("/adfs/oauth2/authorize"));
    }
}
