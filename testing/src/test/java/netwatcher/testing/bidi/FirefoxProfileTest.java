package netwatcher.testing.bidi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FirefoxProfileTest {
    @Test
    void userJs_writesEachPreference_stringsQuotedAndEscaped() {
        Map<String, Object> prefs = new LinkedHashMap<>();
        prefs.put("a.string", "say \"hi\"");
        prefs.put("a.flag", false);
        prefs.put("a.number", 9);
        String js = FirefoxProfile.userJs(prefs);
        assertTrue(js.contains("user_pref(\"a.string\", \"say \\\"hi\\\"\");\n"), js);
        assertTrue(js.contains("user_pref(\"a.flag\", false);\n"), js);
        assertTrue(js.contains("user_pref(\"a.number\", 9);\n"), js);
        assertThrows(IllegalArgumentException.class, () -> FirefoxProfile.userJs(Map.of("a.double", 1.5)));
    }

    @Test
    void preferences_sendEverythingButLoopbackToADeadProxy() {
        Map<String, Object> prefs = FirefoxProfile.preferences();
        assertEquals(1, prefs.get("network.proxy.type"));
        assertEquals("127.0.0.1", prefs.get("network.proxy.ssl"));
        assertEquals(9, prefs.get("network.proxy.ssl_port"));
        assertEquals(false, prefs.get("network.proxy.allow_hijacking_localhost"), "loopback (the controller) is reached directly");
        assertEquals(5, prefs.get("network.trr.mode"), "no DNS over HTTPS");
    }
}
