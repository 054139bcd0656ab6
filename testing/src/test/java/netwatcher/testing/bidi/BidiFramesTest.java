package netwatcher.testing.bidi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BidiFramesTest {
    @Test
    void command_carriesIdMethodAndParams_emptyParamsAsAnObject() {
        assertEquals("{\"id\":7,\"method\":\"browsingContext.navigate\",\"params\":{\"url\":\"https://127.0.0.1/\"}}",
                BidiFrames.command(7, "browsingContext.navigate", BidiFrames.params().put("url", "https://127.0.0.1/")));
        assertEquals("{\"id\":1,\"method\":\"session.status\",\"params\":{}}", BidiFrames.command(1, "session.status", null));
    }

    @Test
    void parse_success_givesTheIdAndResult() {
        var success = assertInstanceOf(BidiFrames.Success.class,
                BidiFrames.parse("{\"type\":\"success\",\"id\":3,\"result\":{\"navigation\":\"n1\"}}"));
        assertEquals(3, success.id());
        assertEquals("n1", success.result().path("navigation").asText());
    }

    @Test
    void parse_error_givesTheCommandsIdTheCodeAndTheMessage() {
        var failure = assertInstanceOf(BidiFrames.Failure.class,
                BidiFrames.parse("{\"type\":\"error\",\"id\":4,\"error\":\"no such frame\",\"message\":\"context c9 gone\"}"));
        assertEquals(4L, failure.id());
        assertEquals("no such frame", failure.error());
        assertEquals("context c9 gone", failure.message());
    }

    @Test
    void parse_errorForAnUnreadableCommand_hasNoId() {
        var failure = assertInstanceOf(BidiFrames.Failure.class,
                BidiFrames.parse("{\"type\":\"error\",\"id\":null,\"error\":\"invalid argument\",\"message\":\"not JSON\"}"));
        assertNull(failure.id());
    }

    @Test
    void parse_event_givesItsMethodAndParams() {
        var event = assertInstanceOf(BidiFrames.Event.class, BidiFrames.parse(
                "{\"type\":\"event\",\"method\":\"log.entryAdded\",\"params\":{\"level\":\"error\",\"text\":\"boom\"}}"));
        assertEquals("log.entryAdded", event.method());
        assertEquals("boom", event.params().path("text").asText());
    }

    @Test
    void parse_refusesWhatIsNotABidiFrame_sayingWhatItHolds() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BidiFrames.parse("not json")).getMessage().contains("not JSON"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BidiFrames.parse("[1]")).getMessage().contains("not an object"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BidiFrames.parse("{\"type\":\"success\"}")).getMessage()
                .contains("without an id"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BidiFrames.parse("{\"type\":\"event\"}")).getMessage()
                .contains("without a method"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BidiFrames.parse("{\"type\":\"hello\"}")).getMessage()
                .contains("'hello'"));
    }
}
