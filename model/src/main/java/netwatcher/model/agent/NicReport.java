package netwatcher.model.agent;

import java.util.List;

/**
 * One network interface of the host: kernel name, MAC, and its addresses in CIDR form
 * ({@code 198.18.1.10/24}, {@code 2001:2::10/64}). The first reported NIC with an address is primary.
 */
public record NicReport(String name, String macAddress, List<String> addresses, boolean primary) {
    public NicReport {
        addresses = addresses == null ? List.of() : List.copyOf(addresses);
    }
}
