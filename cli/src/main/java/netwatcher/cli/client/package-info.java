/**
 * The {@code nw} ARM client and its commands: {@code login}/{@code logout}, {@code vm},
 * {@code watcher}, {@code watcher packet-capture} and the checks ({@code watcher test-connectivity},
 * {@code show-next-hop}, {@code test-ip-flow}, in {@link netwatcher.cli.client.ConnectivityCommand}). {@link netwatcher.cli.client.ArmClient} is a
 * plain Azure Resource Manager client (bearer token, {@code api-version} on every call, long-running
 * operations followed as the Azure SDKs do: {@code Azure-AsyncOperation} for the status,
 * {@code Location} for the result, {@code Retry-After} honoured), so every command works against
 * any ARM endpoint, Azure's own included; the only netwatcher-specific reads are optional: counters
 * in a capture's queryStatus answer, and a check's {@code percentComplete}/{@code properties} on its
 * Azure-AsyncOperation status, shown when present. {@link netwatcher.cli.client.ClientConfig}
 * is what {@code nw login} stores (0600), {@link netwatcher.cli.client.Output} renders JSON, YAML,
 * tables and TSV with an optional {@code --query} path, and {@link netwatcher.cli.client.Progress}
 * draws the live capture panel ({@link netwatcher.cli.client.CheckProgress} the check's: probes
 * and hops as found) on a terminal, or plain lines elsewhere. Failures become
 * {@link netwatcher.cli.client.CliException} carrying the ARM code and one of the documented
 * {@link netwatcher.cli.client.ExitCodes}; {@link netwatcher.cli.client.Hints} words the fix of the
 * common ones (connection refused, plain HTTP to a TLS port, untrusted certificate, missing CA, a
 * 401 or 403) from the exception chain or status, never guessing beyond it.
 * {@link netwatcher.cli.client.TableRows} gives {@code -o table} az's columns for VMs and captures,
 * and {@link netwatcher.cli.client.AgentHealth} puts each VM's Network Watcher extension (the agent's
 * health and last-seen time) into its {@code resources}.
 */
package netwatcher.cli.client;
