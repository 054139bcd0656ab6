package netwatcher.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code test-connectivity -o table}: one row per hop with its issues named by rule, route or key fact. */
class ConnectivityTableTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void render_unreachable_namesRuleRouteAndClassPerHop() throws Exception {
        String nic = "/subscriptions/s/resourceGroups/lab/providers/Microsoft.Network/networkInterfaces/";
        var result = JSON.readTree("""
                {"hops":[
                 {"type":"Source","address":"198.18.1.10","resourceId":"%sapp-eth0/ipConfigurations/ipconfig1","issues":[
                   {"origin":"Outbound","severity":"Error","type":"UserDefinedRoute","context":[{"key":"RouteType","value":"User"},
                    {"key":"Route","value":"blackhole 198.18.79.0/24 table 79 proto boot"}]}]},
                 {"type":"VirtualAppliance","address":"198.18.1.1","resourceId":"%sfw1-eth0/ipConfigurations/ipconfig1",
                  "previousLinks":[{"properties":{"roundTripTimeAvg":3}}],"issues":[
                   {"origin":"Outbound","severity":"Error","type":"NetworkSecurityRule","context":[{"key":"RuleName","value":"UserRule_Port80"}]}]},
                 {"type":"Unknown","address":null,"resourceId":"Unknown","issues":[]},
                 {"type":"Internet","address":"198.18.201.10","resourceId":"Internet","issues":[
                   {"origin":"Local","severity":"Error","type":"HttpStatus","context":[{"key":"Status","value":"404"},{"key":"ValidStatusCodes","value":"200-299"}]},
                   {"origin":"Local","severity":"Error","type":"TlsHandshake","context":[{"key":"Problem","value":"NameMismatch"}]},
                   {"origin":"Local","severity":"Warning","type":"PortClosed","context":[{"key":"Port","value":"2222"}]}]}],
                 "connectionStatus":"Unreachable","probesSent":100,"probesFailed":100}""".formatted(nic, nic));
        String table = ConnectivityTable.render(result, id -> id.contains("/app-") ? "app" : id.contains("/fw1-") ? "fw1" : null);
        List<String> lines = table.lines().toList();
        assertEquals("#  Type              Host  Address        RTT   Issues", lines.get(0));
        assertEquals("1  Source            app   198.18.1.10          UserDefinedRoute: blackhole 198.18.79.0/24 table 79 proto boot",
                lines.get(2));
        assertEquals("2  VirtualAppliance  fw1   198.18.1.1     3 ms  NetworkSecurityRule: UserRule_Port80", lines.get(3));
        assertEquals("3  Unknown                 *", lines.get(4));
        assertEquals("4  Internet                198.18.201.10        HttpStatus: 404 (expected 200-299); TlsHandshake: NameMismatch;"
                + " PortClosed: port 2222 (warning)", lines.get(5));
        assertEquals("", lines.get(6));
        assertEquals("Status: Unreachable", lines.get(7));
        assertEquals("Probes: 100 sent, 100 failed", lines.get(8));
    }
}
