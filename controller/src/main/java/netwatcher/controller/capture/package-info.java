/**
 * Packet captures: {@code networkWatchers/{nw}/packetCaptures/{name}} create, get, list,
 * queryStatus, stop and delete, exactly as ARM clients drive them. A PUT is validated completely
 * ({@link netwatcher.controller.capture.CaptureSpecParser}: every field, default, minimum and
 * maximum of the reference, filter notation through the same parser the agent compiles to BPF,
 * storage location rules, per api-version: targetType and scope from 2022-01-01, continuousCapture,
 * captureSettings and localPath from 2023-11-01, kept as given and echoed by GET; a ring or several
 * files, which the agent cannot do yet, are refused UnsupportedFeature naming the field; a scale set
 * becomes one capture per chosen instance, {@code FleetCaptures}) and then recorded as durable intent: a capture row, a bump of the target
 * VM's desired-state generation, and a long-running operation. The agent takes the order, and its
 * reports move the capture through NotStarted → Running → Stopped/Error; the controller never moves
 * a finished capture back. Deleting a capture hides it from ARM at once and keeps a tombstone that
 * tells the agent to stop, collected once the agent has confirmed; files are never deleted. Each
 * stored object (storage account + blob path) belongs to one capture: a PUT naming one that another
 * capture writes, or that exists, is refused (409). An upload the agent reports done is checked by
 * reading the stored object back (size and SHA-256 against the agent's report) before it shows done.
 */
package netwatcher.controller.capture;
