/**
 * {@code nw}, the command line: {@code up} runs the controller (and a local agent) in the
 * foreground on embedded defaults; {@code agent} runs an agent; {@code lab} builds the
 * network-namespace lab; {@code admin} manages tokens and principals. One picocli command tree.
 */
package netwatcher.cli;
