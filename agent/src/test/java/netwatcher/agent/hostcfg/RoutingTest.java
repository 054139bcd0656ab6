package netwatcher.agent.hostcfg;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The rule/table walk on real {@code ip -4 -j -d rule} and {@code ip -4 -j -d route show table all} output
 * (resources hostcfg/ip-rule.json, ip-route-all.json): fwmark 7 prohibit (pref 50), to 198.18.72.0/24 lookup 78
 * (a route and a throw for .128/25), to 198.18.71.0/24 unreachable, to 198.18.70.0/24 lookup 77 (unreachable
 * route), main with a default via 198.18.9.254, 198.18.50.0/24, blackhole .60/24, unreachable .61/24, prohibit .62/24.
 */
class RoutingTest {
    private final JsonNode rules = Routing.parse(Fixtures.text("ip-rule.json"));
    private final JsonNode routes = Routing.parse(Fixtures.text("ip-route-all.json"));

    private Routing.Walk walk(String destination) throws Exception {
        return Routing.walk(rules, routes, InetAddress.getByName(destination), null, "lo");
    }

    @Test
    void walk_whenBlackholeInMain_returnsItWithoutPolicyRule() throws Exception {
        Routing.Walk walk = walk("198.18.60.1");
        assertNull(walk.rule());
        assertEquals("blackhole 198.18.60.0/24 proto boot", Routing.routeText(walk.route()));
    }

    @Test
    void walk_whenPolicyRuleUnreachable_returnsTheRule() throws Exception {
        Routing.Walk walk = walk("198.18.71.5");
        assertNull(walk.route());
        assertEquals("32764: from all to 198.18.71.0/24 unreachable", Routing.ruleText(walk.rule()));
    }

    @Test
    void walk_whenPolicyRuleLeadsToUnreachableRoute_returnsRuleAndRoute() throws Exception {
        Routing.Walk walk = walk("198.18.70.5");
        assertEquals("32765: from all to 198.18.70.0/24 lookup 77", Routing.ruleText(walk.rule()));
        assertEquals("unreachable 198.18.70.0/24 table 77 proto boot", Routing.routeText(walk.route()));
    }

    @Test
    void walk_whenThrowRoute_continuesWithTheNextRule() throws Exception {
        assertEquals("78", walk("198.18.72.5").route().path("table").asText());
        Routing.Walk thrown = walk("198.18.72.200");
        assertNull(thrown.rule());
        assertEquals("default via 198.18.9.254 dev nwv0 proto boot", Routing.routeText(thrown.route()));
    }

    @Test
    void walk_prefersTheLongestPrefix() throws Exception {
        assertEquals("198.18.50.0/24", walk("198.18.50.9").route().path("dst").asText());
        assertEquals("198.18.9.0/24", walk("198.18.9.9").route().path("dst").asText());
    }

    @Test
    void walk_fwmarkRuleDoesNotMatchUnmarkedProbes() throws Exception {
        assertEquals("prohibit", walk("198.18.62.1").route().path("type").asText());
        assertNull(walk("198.18.62.1").rule());
    }
}
