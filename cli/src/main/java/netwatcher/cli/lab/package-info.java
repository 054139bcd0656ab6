/**
 * {@code nw lab up|down} and {@code nw up --lab}: the network-namespace lab of module {@code lab}
 * with one real agent per agent host, enrolled with the controller that {@code nw up} runs on the
 * same data directory. {@link netwatcher.cli.lab.ControllerAdmin} talks to that controller with the
 * admin token (extra listener on the lab's management address, enrollment token, default
 * subscription); {@link netwatcher.cli.lab.LabAgents} builds the agent command line (this JVM's java
 * binary and class path running {@code netwatcher.agent.AgentMain}); {@link netwatcher.cli.lab.LabSession}
 * ties both to {@link netwatcher.lab.Lab} so that a failure half-way removes what was built.
 */
package netwatcher.cli.lab;
