/**
 * The ARM wire layer, in one place: resource ids ({@link netwatcher.arm.ArmResourceId}), the error
 * model and its catalogue of codes ({@link netwatcher.arm.ArmError}, {@link netwatcher.arm.ArmErrorCode},
 * {@link netwatcher.arm.ArmException}), api-version parsing ({@link netwatcher.arm.ApiVersion}) and
 * the shared JSON mapper ({@link netwatcher.arm.Json}).
 *
 * <p>Feature code below this layer speaks records and throws {@code ArmException}; only the HTTP
 * edge renders errors, so every failure leaves the server in the same ARM shape
 * {@code {"error":{"code","message","target","details":[]}}}.
 */
package netwatcher.arm;
