/**
 * How the agent protocol spells its enums: lower-case words ({@code source}, {@code done}), read strictly, with
 * an error that names the words there are. Shared by the enums of {@code netwatcher.model.check} and
 * {@code netwatcher.model.capture}.
 */
package netwatcher.model.wire;
