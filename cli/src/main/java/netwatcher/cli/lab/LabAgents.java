package netwatcher.cli.lab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import netwatcher.agent.AgentJvm;
import netwatcher.lab.AgentLauncher;
import netwatcher.lab.LabHost;
import netwatcher.logging.Logging;

/**
 * The command line of a real lab agent: {@code <java> -cp <class path> --enable-native-access=ALL-UNNAMED
 * netwatcher.agent.AgentMain} with the settings of docs/agent.md. Each host enrolls as VM
 * {@code <host>} in {@code resourceGroup}; {@code mgmt0} is ignored so the management network is
 * never registered nor captured. Immutable and thread-safe.
 *
 * @param controllerUrl   the controller as agents reach it ({@code https://198.19.255.1:8443})
 * @param enrollmentToken token the agents enroll with (used once per host)
 * @param subscriptionId  subscription of the lab VMs
 * @param resourceGroup   resource group of the lab VMs ({@value #RESOURCE_GROUP})
 * @param location        location of the lab VMs ({@value #LOCATION} by default)
 * @param caFile          the controller CA the agents trust
 * @param javaBinary      the java executable
 * @param jvmOptions      JVM options ({@link AgentJvm#options()}, those of an installed agent, by default)
 * @param classPath       class path holding netwatcher-agent and its dependencies
 * @param extraFlags      more agent flags ({@code --report-interval 1s}, ...), appended as given
 */
public record LabAgents(String controllerUrl, String enrollmentToken, String subscriptionId, String resourceGroup,
                        String location, Path caFile, String javaBinary, List<String> jvmOptions, String classPath,
                        List<String> extraFlags)
        implements AgentLauncher {
    public static final String RESOURCE_GROUP = "lab";
    public static final String LOCATION = "westeurope";

    public LabAgents {
        jvmOptions = List.copyOf(jvmOptions);
        extraFlags = List.copyOf(extraFlags);
    }

    /** Agents run with this JVM's java binary and class path. */
    public static LabAgents ofThisJvm(String controllerUrl, String enrollmentToken, String subscriptionId, String location, Path caFile) {
        return new LabAgents(controllerUrl, enrollmentToken, subscriptionId, RESOURCE_GROUP, location, caFile,
                thisJava(), AgentJvm.options(), System.getProperty("java.class.path"), List.of());
    }

    /** The java binary of this JVM. */
    public static String thisJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public LabAgents withClassPath(String path) {
        return new LabAgents(controllerUrl, enrollmentToken, subscriptionId, resourceGroup, location, caFile, javaBinary, jvmOptions, path, extraFlags);
    }

    public LabAgents withExtraFlags(List<String> flags) {
        return new LabAgents(controllerUrl, enrollmentToken, subscriptionId, resourceGroup, location, caFile, javaBinary, jvmOptions, classPath, flags);
    }

    public LabAgents withJvmOptions(List<String> options) {
        return new LabAgents(controllerUrl, enrollmentToken, subscriptionId, resourceGroup, location, caFile, javaBinary, options, classPath, extraFlags);
    }

    public LabAgents withResourceGroup(String group) {
        return new LabAgents(controllerUrl, enrollmentToken, subscriptionId, group, location, caFile, javaBinary, jvmOptions, classPath, extraFlags);
    }

    @Override
    public List<String> command(LabHost host) {
        List<String> command = new ArrayList<>(List.of(javaBinary, "-cp", classPath, "--enable-native-access=ALL-UNNAMED"));
        command.addAll(jvmOptions);
        command.addAll(List.of("netwatcher.agent.AgentMain",
                "--controller-url", controllerUrl,
                "--enrollment-token", enrollmentToken,
                "--vm-name", host.name(),
                "--resource-group", resourceGroup,
                "--location", location,
                "--subscription-id", subscriptionId,
                "--ca-file", caFile.toString(),
                "--state-dir", host.agentStateDirectory().toString(),
                "--ignore-interfaces", "mgmt0",
                "--log-format", Logging.current().settingValue())); // the agents log as the command that started them
        host.scaleSet().ifPresent(set -> command.addAll(List.of("--scale-set", set)));
        command.addAll(extraFlags);
        return command;
    }
}
