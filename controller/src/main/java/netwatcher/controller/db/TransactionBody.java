package netwatcher.controller.db;

/**
 * Work done inside {@link Database#inTransaction}. Returning commits; throwing anything rolls back
 * and rethrows the same exception.
 *
 * @param <T> the result
 * @param <X> the checked exception the body may throw ({@code RuntimeException} when none)
 */
@FunctionalInterface
public interface TransactionBody<T, X extends Exception> {
    T run(Handle handle) throws X;
}
