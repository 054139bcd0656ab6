package netwatcher.controller.connectivity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import netwatcher.arm.ApiVersion;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmException;
import netwatcher.arm.Json;
import netwatcher.model.check.ProbeSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The connectivityCheck, ipFlowVerify and nextHop body parsers without HTTP: every field's refusal
 * (code, target, a message naming the field), the defaults, and the limits.
 */
class CheckRequestParserTest {
    static final String VM1 = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/app";
    static final String VM2 = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/db";
    static final String NIC = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/app-nic";
    static final ApiVersion VERSION = ApiVersion.require("2025-05-01");

    // ---- bodies

    private static Map<String, Object> connectivityBody() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("source", new LinkedHashMap<>(Map.of("resourceId", VM1)));
        body.put("destination", new LinkedHashMap<>(Map.of("address", "198.18.3.10", "port", 1433)));
        return body;
    }

    private static Map<String, Object> ipFlowBody() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("targetResourceId", VM1);
        body.put("direction", "Outbound");
        body.put("protocol", "TCP");
        body.put("localPort", "5000");
        body.put("remotePort", "1433");
        body.put("localIPAddress", "198.18.1.10");
        body.put("remoteIPAddress", "198.18.3.10");
        return body;
    }

    private static Map<String, Object> nextHopBody() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("targetResourceId", VM1);
        body.put("sourceIPAddress", "198.18.1.10");
        body.put("destinationIPAddress", "198.18.3.10");
        return body;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> part(Map<String, Object> body, String name) {
        return (Map<String, Object>) body.get(name);
    }

    private static CheckRequest connectivity(Map<String, Object> body) {
        return CheckRequestParser.connectivity(Json.write(body), VERSION);
    }

    private static CheckRequest ipFlow(Map<String, Object> body) {
        return CheckRequestParser.ipFlowVerify(Json.write(body));
    }

    private static CheckRequest nextHop(Map<String, Object> body) {
        return CheckRequestParser.nextHop(Json.write(body));
    }

    private static ArmException refused(ArmErrorCode code, String target, Function<Map<String, Object>, CheckRequest> parser,
                                        Map<String, Object> body) {
        ArmException e = assertThrows(ArmException.class, () -> parser.apply(body));
        assertEquals(code, e.code(), e.getMessage());
        assertEquals(target, e.error().target(), e.getMessage());
        String field = target.substring(target.lastIndexOf('.') + 1).replaceAll("\\[\\d+]$", "");
        assertTrue(e.error().message().contains(field), "the message names the field: " + e.error().message());
        return e;
    }

    // ---- connectivity: defaults and values

    @Test
    void connectivity_minimal_appliesDefaults() {
        Map<String, Object> body = connectivityBody();
        part(body, "destination").remove("port");
        CheckRequest r = connectivity(body);

        assertEquals(VM1, r.sourceVm());
        assertEquals(0, r.sourcePort(), "0: any source port");
        assertNull(r.destinationVm());
        assertEquals("198.18.3.10", r.destinationAddress());
        assertEquals(0, r.destinationPort(), "0: the protocol's default port");
        assertEquals("Tcp", r.protocol());
        assertNull(r.http());
        assertNull(r.preferredIpVersion());
    }

    @Test
    void connectivity_readsEveryField() {
        Map<String, Object> body = connectivityBody();
        part(body, "source").put("port", 40000);
        body.put("destination", Map.of("resourceId", VM2, "address", "db.lab.test", "port", "8443"));
        body.put("protocol", "https");
        body.put("preferredIPVersion", "ipv6");
        body.put("protocolConfiguration", Map.of("HTTPConfiguration", Map.of("method", "GET",
                "headers", List.of(Map.of("name", "X-Probe", "value", "1")), "validStatusCodes", List.of(200, 204))));
        CheckRequest r = connectivity(body);

        assertEquals(40000, r.sourcePort());
        assertEquals(VM2, r.destinationVm());
        assertEquals("db.lab.test", r.destinationAddress());
        assertEquals(8443, r.destinationPort());
        assertEquals("Https", r.protocol(), "enum values are matched without case and written canonically");
        assertEquals("IPv6", r.preferredIpVersion());
        assertEquals("Get", r.http().method());
        assertEquals(List.of(new ProbeSpec.Header("X-Probe", "1")), r.http().headers());
        assertEquals(List.of(200, 204), r.http().validStatusCodes());
    }

    @Test
    void connectivity_httpConfiguration_defaults() {
        Map<String, Object> body = connectivityBody();
        body.put("protocol", "Http");
        body.put("protocolConfiguration", Map.of("HTTPConfiguration", Map.of()));
        ProbeSpec.Http http = connectivity(body).http();
        assertEquals("Get", http.method());
        assertEquals(List.of(), http.headers());
        assertEquals(List.of(), http.validStatusCodes());
    }

    @Test
    void connectivity_destinationVmOnly_isEnough() {
        Map<String, Object> body = connectivityBody();
        body.put("destination", Map.of("resourceId", VM2));
        CheckRequest r = connectivity(body);
        assertEquals(VM2, r.destinationVm());
        assertNull(r.destinationAddress());
    }

    @Test
    void connectivity_urlDestination_isKeptAsGiven() {
        Map<String, Object> body = connectivityBody();
        body.put("destination", Map.of("address", " https://web.lab.test/status/204 "));
        assertEquals("https://web.lab.test/status/204", connectivity(body).destinationAddress());
    }

    @Test
    void connectivity_icmpWithoutPort_isAccepted() {
        Map<String, Object> body = connectivityBody();
        part(body, "destination").remove("port");
        body.put("protocol", "Icmp");
        assertEquals("Icmp", connectivity(body).protocol());
    }

    // ---- connectivity: refusals

    @Test
    void connectivity_source_missingOrInvalid() {
        Map<String, Object> noSource = connectivityBody();
        noSource.remove("source");
        refused(ArmErrorCode.InvalidRequestContent, "source", CheckRequestParserTest::connectivity, noSource);
        Map<String, Object> noId = connectivityBody();
        part(noId, "source").remove("resourceId");
        refused(ArmErrorCode.InvalidRequestContent, "source.resourceId", CheckRequestParserTest::connectivity, noId);
        Map<String, Object> notVm = connectivityBody();
        part(notVm, "source").put("resourceId", NIC);
        refused(ArmErrorCode.InvalidParameter, "source.resourceId", CheckRequestParserTest::connectivity, notVm);
        Map<String, Object> notId = connectivityBody();
        part(notId, "source").put("resourceId", "app");
        refused(ArmErrorCode.InvalidParameter, "source.resourceId", CheckRequestParserTest::connectivity, notId);
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 65536})
    void connectivity_ports_outsideTheRange_areInvalidParameter(int port) {
        Map<String, Object> source = connectivityBody();
        part(source, "source").put("port", port);
        refused(ArmErrorCode.InvalidParameter, "source.port", CheckRequestParserTest::connectivity, source);
        Map<String, Object> dest = connectivityBody();
        part(dest, "destination").put("port", port);
        ArmException e = refused(ArmErrorCode.InvalidParameter, "destination.port", CheckRequestParserTest::connectivity, dest);
        assertTrue(e.error().message().contains("between 0 and 65535"), e.error().message());
    }

    @Test
    void connectivity_ports_atTheBounds_areAccepted() {
        Map<String, Object> body = connectivityBody();
        part(body, "source").put("port", 65535);
        part(body, "destination").put("port", 65535);
        assertEquals(65535, connectivity(body).destinationPort());
        part(body, "destination").put("port", "x");
        refused(ArmErrorCode.InvalidRequestContent, "destination.port", CheckRequestParserTest::connectivity, body);
    }

    @Test
    void connectivity_destination_missingOrEmpty() {
        Map<String, Object> none = connectivityBody();
        none.remove("destination");
        refused(ArmErrorCode.InvalidRequestContent, "destination", CheckRequestParserTest::connectivity, none);
        Map<String, Object> empty = connectivityBody();
        empty.put("destination", Map.of("address", " ", "port", 80));
        refused(ArmErrorCode.InvalidParameter, "destination", CheckRequestParserTest::connectivity, empty);
        Map<String, Object> notVm = connectivityBody();
        notVm.put("destination", Map.of("resourceId", NIC));
        refused(ArmErrorCode.InvalidParameter, "destination.resourceId", CheckRequestParserTest::connectivity, notVm);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://web.lab.test/", "https://", "http:///path", "web lab", "web/lab", "a@b", "<script>"})
    void connectivity_destinationAddress_thatIsNoHostIpOrUrl_isInvalidParameter(String address) {
        Map<String, Object> body = connectivityBody();
        body.put("destination", Map.of("address", address));
        ArmException e = refused(ArmErrorCode.InvalidParameter, "destination.address", CheckRequestParserTest::connectivity, body);
        assertTrue(e.error().message().contains("'" + address + "'"), e.error().message());
    }

    @Test
    void connectivity_destinationAddress_longerThan253_isInvalidParameter() {
        Map<String, Object> body = connectivityBody();
        body.put("destination", Map.of("address", "a".repeat(254)));
        refused(ArmErrorCode.InvalidParameter, "destination.address", CheckRequestParserTest::connectivity, body);
        body.put("destination", Map.of("address", "a".repeat(253)));
        assertEquals("a".repeat(253), connectivity(body).destinationAddress());
    }

    @Test
    void connectivity_enums_refuseOtherValuesListingTheAllowedOnes() {
        Map<String, Object> protocol = connectivityBody();
        protocol.put("protocol", "Udp");
        ArmException e = refused(ArmErrorCode.InvalidParameter, "protocol", CheckRequestParserTest::connectivity, protocol);
        assertEquals("Property 'protocol' must be one of Tcp, Http, Https, Icmp; was 'Udp'.", e.error().message());
        Map<String, Object> version = connectivityBody();
        version.put("preferredIPVersion", "IPv5");
        refused(ArmErrorCode.InvalidParameter, "preferredIPVersion", CheckRequestParserTest::connectivity, version);
        Map<String, Object> method = connectivityBody();
        method.put("protocol", "Http");
        method.put("protocolConfiguration", Map.of("HTTPConfiguration", Map.of("method", "Post")));
        refused(ArmErrorCode.InvalidParameter, "protocolConfiguration.HTTPConfiguration.method",
                CheckRequestParserTest::connectivity, method);
    }

    @Test
    void connectivity_icmpWithPort_isInvalidParameter() {
        Map<String, Object> body = connectivityBody();
        body.put("protocol", "Icmp");
        refused(ArmErrorCode.InvalidParameter, "destination.port", CheckRequestParserTest::connectivity, body);
    }

    @Test
    void connectivity_httpConfiguration_forTcp_isInvalidParameter() {
        Map<String, Object> body = connectivityBody();
        body.put("protocolConfiguration", Map.of("HTTPConfiguration", Map.of("method", "Get")));
        ArmException e = refused(ArmErrorCode.InvalidParameter, "protocolConfiguration", CheckRequestParserTest::connectivity, body);
        assertTrue(e.error().message().contains("protocol is Tcp"), e.error().message());
    }

    @Test
    void connectivity_headers_nameAndValueRules() {
        Map<String, Object> body = connectivityBody();
        body.put("protocol", "Http");
        body.put("protocolConfiguration", Map.of("HTTPConfiguration", Map.of("headers", List.of(Map.of("name", "Bad Name")))));
        refused(ArmErrorCode.InvalidParameter, "protocolConfiguration.HTTPConfiguration.headers[0].name",
                CheckRequestParserTest::connectivity, body);
        body.put("protocolConfiguration", Map.of("HTTPConfiguration", Map.of("headers",
                List.of(Map.of("name", "ok", "value", "v"), Map.of("name", "X", "value", "a\r\nInjected: 1")))));
        refused(ArmErrorCode.InvalidParameter, "protocolConfiguration.HTTPConfiguration.headers[1].value",
                CheckRequestParserTest::connectivity, body);
        body.put("protocolConfiguration", Map.of("HTTPConfiguration", Map.of("headers", List.of(Map.of("value", "v")))));
        refused(ArmErrorCode.InvalidRequestContent, "protocolConfiguration.HTTPConfiguration.headers[0].name",
                CheckRequestParserTest::connectivity, body);
        body.put("protocolConfiguration", Map.of("HTTPConfiguration", Map.of("headers", List.of(Map.of("name", "X-Empty")))));
        assertEquals("", connectivity(body).http().headers().getFirst().value(), "a header value defaults to empty");
    }

    @Test
    void connectivity_validStatusCodes_are100To599() {
        Map<String, Object> body = connectivityBody();
        body.put("protocol", "Http");
        body.put("protocolConfiguration", Map.of("HTTPConfiguration", Map.of("validStatusCodes", List.of(100, 599))));
        assertEquals(List.of(100, 599), connectivity(body).http().validStatusCodes());
        for (int code : new int[] {99, 600}) {
            body.put("protocolConfiguration", Map.of("HTTPConfiguration", Map.of("validStatusCodes", List.of(200, code))));
            ArmException e = refused(ArmErrorCode.InvalidParameter, "protocolConfiguration.HTTPConfiguration.validStatusCodes",
                    CheckRequestParserTest::connectivity, body);
            assertTrue(e.error().message().contains("holds " + code), e.error().message());
        }
        body.put("protocolConfiguration", Map.of("HTTPConfiguration", Map.of("validStatusCodes", List.of("200"))));
        refused(ArmErrorCode.InvalidRequestContent, "protocolConfiguration.HTTPConfiguration.validStatusCodes[0]",
                CheckRequestParserTest::connectivity, body);
    }

    // ---- ipFlowVerify

    @Test
    void ipFlowVerify_readsEveryField() {
        Map<String, Object> body = ipFlowBody();
        body.put("targetNicResourceId", NIC);
        body.put("direction", "inbound");
        body.put("protocol", "udp");
        CheckRequest r = ipFlow(body);
        assertEquals(VM1, r.sourceVm());
        assertEquals("Inbound", r.direction());
        assertEquals("UDP", r.protocol());
        assertEquals(5000, r.localPort());
        assertEquals(1433, r.destinationPort());
        assertEquals("198.18.1.10", r.localAddress());
        assertEquals("198.18.3.10", r.destinationAddress());
        assertEquals(NIC, r.targetNic());
    }

    @Test
    void ipFlowVerify_wildcardPortsAreZero_andAddressesAreNormalised() {
        Map<String, Object> body = ipFlowBody();
        body.put("localPort", "*");
        body.put("remotePort", " 0 ");
        body.put("remoteIPAddress", "2001:2:0:3:0:0:0:10");
        CheckRequest r = ipFlow(body);
        assertEquals(0, r.localPort());
        assertEquals(0, r.destinationPort());
        assertEquals("2001:2:0:3:0:0:0:10", r.destinationAddress());
        assertNull(r.targetNic());
    }

    @ParameterizedTest
    @ValueSource(strings = {"targetResourceId", "direction", "protocol", "localPort", "remotePort", "localIPAddress", "remoteIPAddress"})
    void ipFlowVerify_eachRequiredField_whenMissing_isInvalidRequestContent(String field) {
        Map<String, Object> body = ipFlowBody();
        body.remove(field);
        ArmException e = refused(ArmErrorCode.InvalidRequestContent, field, CheckRequestParserTest::ipFlow, body);
        assertEquals("Required property '" + field + "' is missing.", e.error().message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"localPort", "remotePort"})
    void ipFlowVerify_ports_mustBeNumbersUpTo65535OrStar(String field) {
        for (String bad : List.of("65536", "-1", "80-90", "http", "123456")) {
            Map<String, Object> body = ipFlowBody();
            body.put(field, bad);
            ArmException e = refused(ArmErrorCode.InvalidParameter, field, CheckRequestParserTest::ipFlow, body);
            assertTrue(e.error().message().contains("0-65535 or '*'"), e.error().message());
        }
        Map<String, Object> body = ipFlowBody();
        body.put(field, "65535");
        assertFalse(ipFlow(body).localPort() < 0);
        body.put(field, 80);
        refused(ArmErrorCode.InvalidRequestContent, field, CheckRequestParserTest::ipFlow, body);
    }

    @ParameterizedTest
    @ValueSource(strings = {"localIPAddress", "remoteIPAddress"})
    void ipFlowVerify_addresses_mustBeIpLiterals(String field) {
        for (String bad : List.of("db.lab.test", "198.18.1.256", "198.18.1", "2001:2::g", "*")) {
            Map<String, Object> body = ipFlowBody();
            body.put(field, bad);
            ArmException e = refused(ArmErrorCode.InvalidParameter, field, CheckRequestParserTest::ipFlow, body);
            assertTrue(e.error().message().contains("'" + bad + "'"), e.error().message());
        }
    }

    @Test
    void ipFlowVerify_enumsAndIds_refuseOtherValues() {
        Map<String, Object> direction = ipFlowBody();
        direction.put("direction", "Both");
        refused(ArmErrorCode.InvalidParameter, "direction", CheckRequestParserTest::ipFlow, direction);
        Map<String, Object> protocol = ipFlowBody();
        protocol.put("protocol", "Icmp");
        refused(ArmErrorCode.InvalidParameter, "protocol", CheckRequestParserTest::ipFlow, protocol);
        Map<String, Object> target = ipFlowBody();
        target.put("targetResourceId", NIC);
        refused(ArmErrorCode.InvalidParameter, "targetResourceId", CheckRequestParserTest::ipFlow, target);
        Map<String, Object> nic = ipFlowBody();
        nic.put("targetNicResourceId", "nic1");
        refused(ArmErrorCode.InvalidParameter, "targetNicResourceId", CheckRequestParserTest::ipFlow, nic);
    }

    // ---- nextHop

    @Test
    void nextHop_readsEveryField() {
        Map<String, Object> body = nextHopBody();
        body.put("targetNicResourceId", NIC);
        CheckRequest r = nextHop(body);
        assertEquals(VM1, r.sourceVm());
        assertEquals("198.18.1.10", r.localAddress());
        assertEquals("198.18.3.10", r.destinationAddress());
        assertEquals(NIC, r.targetNic());
    }

    @ParameterizedTest
    @ValueSource(strings = {"targetResourceId", "sourceIPAddress", "destinationIPAddress"})
    void nextHop_eachRequiredField_whenMissing_isInvalidRequestContent(String field) {
        Map<String, Object> body = nextHopBody();
        body.remove(field);
        refused(ArmErrorCode.InvalidRequestContent, field, CheckRequestParserTest::nextHop, body);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sourceIPAddress", "destinationIPAddress"})
    void nextHop_addresses_mustBeIpLiterals(String field) {
        Map<String, Object> body = nextHopBody();
        body.put(field, "app");
        refused(ArmErrorCode.InvalidParameter, field, CheckRequestParserTest::nextHop, body);
    }

    @Test
    void nextHop_targetMustBeAVm() {
        Map<String, Object> body = nextHopBody();
        body.put("targetResourceId", NIC);
        refused(ArmErrorCode.InvalidParameter, "targetResourceId", CheckRequestParserTest::nextHop, body);
    }

    // ---- every parser

    @Test
    void everyParser_refusesABodyThatIsNotAnObject() {
        byte[] array = "[]".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(ArmErrorCode.InvalidRequestFormat,
                assertThrows(ArmException.class, () -> CheckRequestParser.connectivity(array, VERSION)).code());
        assertEquals(ArmErrorCode.InvalidRequestFormat, assertThrows(ArmException.class, () -> CheckRequestParser.ipFlowVerify(array)).code());
        assertEquals(ArmErrorCode.InvalidRequestFormat, assertThrows(ArmException.class, () -> CheckRequestParser.nextHop(array)).code());
    }
}
