package netwatcher.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Extra listeners of a running controller (what nw lab up asks for). */
@Tag("e2e")
class ControllerListenTest {

    @Test
    void listen_whenTheSameAddressIsAddedAgain_replacesTheListener() throws Exception {
        try (TestController c = new TestController(Duration.ofSeconds(30))) {
            c.controller.listen("127.0.0.1");
            c.controller.listen("127.0.0.1");
            assertEquals(200, c.send("GET", "/healthz", null).status());
        }
    }
}
