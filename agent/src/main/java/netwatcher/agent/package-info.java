/**
 * The agent daemon, netwatcher's "AzureNetworkWatcherExtension" for any Linux host. {@link
 * netwatcher.agent.AgentConfig} holds every setting (properties file plus flags, validated once at
 * start-up with errors naming the setting); {@link netwatcher.agent.Agent} wires the pieces: it
 * enrolls once with the controller and keeps the credential in the state directory, then runs the
 * reconciler of {@code netwatcher.agent.control} with the host inventory of {@code
 * netwatcher.agent.host}, the uploaders of {@code netwatcher.agent.upload} and the libpcap capture
 * engine of {@code netwatcher.agent.capture} behind {@link netwatcher.agent.EngineCaptureRunner}.
 * SIGTERM ends running captures as {@code AgentShutdown} and persists state before the JVM exits.
 */
package netwatcher.agent;
