package netwatcher.controller.compute;

import java.util.List;
import netwatcher.arm.ArmResourceId;

/**
 * A network interface of a registered host, named {@code {vm}-{interface}} in the VM's resource group.
 *
 * @param addresses CIDR strings, one ipConfiguration each ({@code ipconfig1}, {@code ipconfig2}, ...)
 */
public record Nic(ArmResourceId id, String vmKey, ArmResourceId vmId, String location, String interfaceName,
                  String macAddress, boolean primary, List<String> addresses, int position) {
    public Nic {
        addresses = List.copyOf(addresses);
    }
}
