/**
 * Packet-capture vocabulary shared by the controller and the agent: the structured ARM filter
 * ({@link netwatcher.model.capture.CaptureFilter}) and its address/port notation, its libpcap text
 * and the filter limits ({@link netwatcher.model.capture.BpfFilters}), the limits of a session, and
 * the closed sets of states, stop reasons and errors a capture can end with.
 *
 * <p>Everything here is an immutable record or enum with no dependency beyond the JDK, so the
 * controller validates a PUT with exactly the code the agent later compiles into BPF.
 */
package netwatcher.model.capture;
